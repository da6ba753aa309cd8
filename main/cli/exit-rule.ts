/**
 * How a failed command ends (issue #11): once a command has finished with a non-zero exit code — it has printed
 * its final error, or its failing result — the process exits within EXIT_GRACE_MS, whatever is still open.
 *
 * Node exits by itself when nothing keeps its event loop alive, and that is how every command should end. But one
 * handle left behind on an error path (a serial port not closed, a socket, a timer) kept `provision` alive forever
 * after a full disk had stopped its run: the technician saw the error and a prompt that never came back. So the
 * CLI's entry point arms this timer for every failed command. It is unref'd: a command that closed everything exits
 * at once, as before, and the timer only fires when something was leaked. Successful commands are not cut short,
 * since the long-running ones (sim, station, registry serve) finish their action only when they are stopped.
 */

/** How long a failed command may take to exit after its action has finished. */
export const EXIT_GRACE_MS = 2000;

/** Forces `process.exit(code)` after `ms` unless the process has ended by itself before. */
export function exitWithin(code: number, ms = EXIT_GRACE_MS): void {
  setTimeout(() => process.exit(code), ms).unref();
}
