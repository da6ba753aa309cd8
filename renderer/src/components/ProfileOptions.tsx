/**
 * The <option>s of a profile picker: every usable profile as "name version (example | file name)", or one empty
 * option saying why there is nothing to pick. The Devices screen's batch and the Station screen's line both use it.
 */
import type { JSX } from 'react';
import type { ProfileListItem } from '../../../main/contract/api';

export function ProfileOptions({ options, empty }: { options: readonly ProfileListItem[]; empty: string }): JSX.Element {
  if (options.length === 0) return <option value="">{empty}</option>;
  return (
    <>
      {options.map((p) => (
        <option key={p.path} value={p.path}>
          {p.name} {p.version} ({p.source === 'example' ? 'example' : p.fileName})
        </option>
      ))}
    </>
  );
}
