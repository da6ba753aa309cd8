/**
 * The operator view's tones, made with Web Audio (no sound file to ship or fetch): a pass is two short rising
 * beeps, a fail one long low buzz — told apart without looking, and by someone who cannot tell the pitches apart
 * (the rhythm differs too). One AudioContext for the view, created on first use.
 */
import type { Tone } from './tiles';

interface Beep {
  readonly hz: number;
  readonly startS: number;
  readonly lengthS: number;
  readonly wave: OscillatorType;
}

const TONES: Record<Tone, readonly Beep[]> = {
  pass: [
    { hz: 880, startS: 0, lengthS: 0.12, wave: 'sine' },
    { hz: 1320, startS: 0.16, lengthS: 0.16, wave: 'sine' },
  ],
  fail: [{ hz: 220, startS: 0, lengthS: 0.7, wave: 'square' }],
};

export interface TonePlayer {
  play(tone: Tone): void;
  close(): void;
}

export function createTonePlayer(make: () => AudioContext = () => new AudioContext()): TonePlayer {
  let context: AudioContext | undefined;
  return {
    play(tone) {
      try {
        context ??= make();
        // A page may only start audio after a user gesture; the Settings click that turned sound on was one.
        if (context.state === 'suspended') void context.resume();
        const at = context.currentTime;
        for (const beep of TONES[tone]) {
          const osc = context.createOscillator();
          const gain = context.createGain();
          osc.type = beep.wave;
          osc.frequency.value = beep.hz;
          // A short fade in and out: a hard edge clicks.
          gain.gain.setValueAtTime(0, at + beep.startS);
          gain.gain.linearRampToValueAtTime(0.25, at + beep.startS + 0.01);
          gain.gain.linearRampToValueAtTime(0, at + beep.startS + beep.lengthS);
          osc.connect(gain).connect(context.destination);
          osc.start(at + beep.startS);
          osc.stop(at + beep.startS + beep.lengthS + 0.02);
        }
      } catch {
        // No audio device (a kiosk without speakers): the tiles still say it.
      }
    },
    close() {
      void context?.close().catch(() => {});
      context = undefined;
    },
  };
}
