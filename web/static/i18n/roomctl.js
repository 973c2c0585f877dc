// The hearing room's controls and fixes of issue 13 (room part): microphone check, seat takeover,
// recording indicator, reconnect banner, raised hands, camera and devices.
export default {
  "zh-CN": {
    roomctl_mic_listening: "正在检测麦克风，请说几句话…",
    roomctl_mic_silent: "未检测到声音。",
    roomctl_mic_silent_hint: "请确认麦克风未被静音、选择了正确的设备，并对着麦克风说话。",
  },
  en: {
    roomctl_mic_listening: "Checking the microphone: please say a few words…",
    roomctl_mic_silent: "No sound detected.",
    roomctl_mic_silent_hint: "Check that the microphone is not muted and the right device is chosen, then speak into it.",
  },
};
