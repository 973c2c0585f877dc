// The hearing room's controls and fixes of issue 13 (room part): microphone check, seat takeover,
// recording indicator, reconnect banner, raised hands, camera and devices.
export default {
  "zh-CN": {
    roomctl_mic_listening: "正在检测麦克风，请说几句话…",
    roomctl_mic_silent: "未检测到声音。",
    roomctl_mic_silent_hint: "请确认麦克风未被静音、选择了正确的设备，并对着麦克风说话。",
    roomctl_taken_title: "您已在另一个窗口进入法庭",
    roomctl_taken_text: "同一参加人只能在一个窗口参加庭审，本页已停止连接，其他参加人不受影响。如需在本页继续，请点击“在此页继续”（另一个窗口将停止）。",
    roomctl_take_back: "在此页继续",
  },
  en: {
    roomctl_mic_listening: "Checking the microphone: please say a few words…",
    roomctl_mic_silent: "No sound detected.",
    roomctl_mic_silent_hint: "Check that the microphone is not muted and the right device is chosen, then speak into it.",
    roomctl_taken_title: "You joined the hearing in another window",
    roomctl_taken_text: "A participant takes part from one window only, so this page stopped; nobody else is affected. To continue here, choose “Continue here” (the other window will stop).",
    roomctl_take_back: "Continue here",
  },
};
