// Microphone check (issue 13, defect 9): "麦克风正常" only once sound is heard. The level (RMS of
// the last analyser frame) is sampled ~10 times a second; the microphone counts as working once
// HEARD_TICKS of the samples within the last WINDOW_MS reach THRESHOLD. Until WINDOW_MS have
// passed the verdict is "listening"; after that, without sound, "silent" (with a hint), and it
// turns "ok" as soon as sound comes (someone unmuted the headset, chose another device).
export const THRESHOLD = 0.01;   // RMS of full scale: well above a quiet room's digital floor
export const WINDOW_MS = 2000;
export const HEARD_TICKS = 3;

export class SoundWindow {
  constructor() { this.started = null; this.loud = []; this.heard = false; }

  // One level sample at time `now` (ms); returns "listening" | "ok" | "silent".
  add(rms, now) {
    if (this.started === null) this.started = now;
    if (rms >= THRESHOLD) this.loud.push(now);
    this.loud = this.loud.filter((at) => now - at <= WINDOW_MS);
    if (this.loud.length >= HEARD_TICKS) this.heard = true;
    if (this.heard) return "ok";
    return now - this.started < WINDOW_MS ? "listening" : "silent";
  }
}

export function rmsOf(data) {
  let sum = 0;
  for (const v of data) sum += v * v;
  return Math.sqrt(sum / data.length);
}

// Watch `stream`'s microphone: the meter shows the level, `onVerdict(state)` hears every change.
export function watchMicrophone(stream, meter, onVerdict) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  const window = new SoundWindow();
  let last = null;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(data);
    const rms = rmsOf(data);
    if (meter) meter.style.width = `${Math.min(100, Math.round(rms * 400))}%`;
    const verdict = window.add(rms, performance.now());
    if (verdict !== last) { last = verdict; onVerdict(verdict); }
  }, 100);
  return () => { clearInterval(timer); context.close(); };
}
