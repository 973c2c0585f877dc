// Screen sharing as evidence on screen (room-screen.js).
export default {
  "zh-CN": {
    screen_share: "共享屏幕",
    screen_stop: "停止共享",
    screen_sharing: "{who} 正在共享屏幕",
    screen_busy: "{who} 正在共享屏幕，请等待其结束。",
    screen_denied: "未能共享屏幕：未选择屏幕或浏览器未授权。",
    screen_unsupported: "此浏览器不支持共享屏幕。",
    screen_waiting: "正在接收共享画面…",
  },
  en: {
    screen_share: "Share screen",
    screen_stop: "Stop sharing",
    screen_sharing: "{who} is sharing their screen",
    screen_busy: "{who} is sharing their screen; please wait until they stop.",
    screen_denied: "The screen was not shared: none was chosen or the browser refused.",
    screen_unsupported: "This browser cannot share a screen.",
    screen_waiting: "Receiving the shared screen…",
  },
};
