/**
 * `fieldline store reset`: start a new, empty store deliberately when the old one is missing, emptied or damaged
 * (STORE_MISSING, STORE_CORRUPT) and no backup is at hand. The old file is moved aside, never deleted; a healthy
 * store with runs is refused (main/store/reset.ts).
 */
import { Command } from 'commander';
import { resolveDataDir } from '../data-dir';
import { resetStore } from '../store/reset';
import { print, type OutputOptions } from './output';

interface ResetOptions extends OutputOptions {
  dataDir?: string;
}

const WAS: Record<'missing' | 'damaged' | 'empty', string> = {
  missing: 'was missing or emptied',
  damaged: 'was damaged',
  empty: 'holds nothing yet',
};

export function registerStoreCommands(program: Command): void {
  const store = program.command('store').description('the local store (fieldline.db) in the data directory');
  store
    .command('reset')
    .description('start a new, empty store when the old one is missing, emptied or damaged (the old file is kept beside it)')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nA store that opens and holds runs is never reset.\nExit codes: 0 done, 1 refused (a healthy store), 2 the folder cannot be used.',
    )
    .action((opts: ResetOptions) => {
      const result = resetStore(resolveDataDir(opts.dataDir));
      print(opts, result, () =>
        [
          `${result.file} ${WAS[result.was]}.`,
          result.movedTo ? `The old file is now ${result.movedTo} (keep it for support: runs not yet synced may be in it).` : '',
          'The next command starts a new, empty store.',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}
