/**
 * What a command of the virtual gateway's Zephyr shell is and returns. Apart from the command table
 * (shell-commands.ts) because the file-system commands (fs-shell.ts) are one of its entries and need these types:
 * kept in the table's file, the two files imported each other.
 */

/** Zephyr errno values, as a shell command returns them negated. */
export const ERRNO = { EIO: 5, ENOEXEC: 8, EINVAL: 22, ETIMEDOUT: 116 } as const;
/** What Zephyr's shell returns after printing a command's help (SHELL_CMD_HELP_PRINTED). */
export const HELP_PRINTED = 1;

export interface ShellResult {
  out: string;
  ret: number;
}

export interface ShellCommand {
  name: string;
  help: string;
  /** Absent for a command that only groups subcommands (Zephyr prints its help). */
  run?: (args: string[]) => ShellResult | Promise<ShellResult>;
  /** How many arguments `run` needs after the command words (Zephyr's mandatory count less the command). */
  minArgs?: number;
  /** How many arguments `run` accepts after the command words. */
  maxArgs?: number;
  subcommands?: ShellCommand[];
}
