// Sockets the server closed (socket-close.js): an ended session, removal, per-socket limits.
export default {
  "zh-CN": {
    logged_out_title: "您已退出登录",
    logged_out_text: "您已在此页面或其他页面退出登录，连接已关闭。如需继续，请重新登录。",
    session_expired_title: "登录已过期",
    session_expired_text: "您的登录已过期，连接已关闭。请重新登录，或通过邀请链接重新加入。",
    link_revoked_title: "链接已被撤回",
    link_revoked_text: "法院已撤回您的邀请链接，连接已关闭。如需参加，请向法院索取新的链接。",
    ws_closed_4400: "连接已断开：服务器收到了无法识别的数据。请刷新页面。",
    ws_closed_4411: "您已被审判长移出本次庭审，连接已关闭。重新准许后方可再次进入。",
    ws_closed_4413: "连接已断开：发送的内容超过大小限制。请刷新页面。",
    ws_closed_4422: "您的修改多次被拒绝，连接已关闭且不会自动重连。请刷新页面。",
    ws_closed_4429: "发送过于频繁，连接已暂时断开，稍后自动重连。",
  },
  en: {
    logged_out_title: "You have logged out",
    logged_out_text: "You logged out on this or another page, so the connection was closed. Log in again to continue.",
    session_expired_title: "Your session has expired",
    session_expired_text: "Your session has expired and the connection was closed. Log in again, or join again through your invitation link.",
    link_revoked_title: "Your link was withdrawn",
    link_revoked_text: "The court withdrew your invitation link and the connection was closed. Ask the court for a new link to take part.",
    ws_closed_4400: "Disconnected: the server received data it cannot read. Please reload the page.",
    ws_closed_4411: "The judge removed you from this hearing and the connection was closed. You can come back once readmitted.",
    ws_closed_4413: "Disconnected: a message was over the size limit. Please reload the page.",
    ws_closed_4422: "Your edits were refused repeatedly; the connection was closed and will not reconnect. Please reload the page.",
    ws_closed_4429: "Too many messages: disconnected for a moment; reconnecting shortly.",
  },
};
