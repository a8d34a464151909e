/** The 5-minute window's countdown, as the landing page and the app show it. Pure; shared by server and browser. */

/** From here on the countdown turns warning-coloured: the user has a minute left to act. */
export const COUNTDOWN_WARNING_SECONDS = 60;

export type CountdownTone = 'calm' | 'warning';

export function countdownTone(secondsLeft: number): CountdownTone {
  return secondsLeft <= COUNTDOWN_WARNING_SECONDS ? 'warning' : 'calm';
}

/** Minutes and seconds: 4:58. */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
