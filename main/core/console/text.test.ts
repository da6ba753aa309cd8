/** Device output as shown: bounded, terminal escapes dropped, control characters made visible, lines kept. */
import { describe, expect, it } from 'vitest';
import { METHOD_RULES } from '../method-permissions';
import { splitCommand } from './shell';
import { deviceName, deviceText } from './text';

describe('deviceText', () => {
  it('keeps lines and tabs, turns CRLF into LF, drops colour escapes and shows other control characters as U+FFFD', () => {
    expect(deviceText('a\r\nb\tc\u001b[1;31mred\u001b[0m\u0007\u0000', 100)).toEqual({ text: 'a\nb\tcred\ufffd\ufffd', truncated: false });
    expect(deviceText('\u001b]0;title\u0007x', 100).text).toBe('x');
  });

  it('cuts a long answer to the bound and says so', () => {
    expect(deviceText('x'.repeat(10_000_000), 10)).toEqual({ text: 'x'.repeat(10), truncated: true });
    expect(deviceText('x'.repeat(10), 10)).toEqual({ text: 'x'.repeat(10), truncated: false });
  });

  it('makes a name one line', () => {
    expect(deviceName('a\nb', 10)).toBe('a\ufffdb');
  });
});

describe('splitCommand', () => {
  it('splits on blanks and keeps quoted blanks in one argument', () => {
    expect(splitCommand('  fs   ls /lfs ')).toEqual(['fs', 'ls', '/lfs']);
    expect(splitCommand(`log "a b" 'c d' ""`)).toEqual(['log', 'a b', 'c d', '']);
  });

  it('refuses an empty line and an unclosed quote', () => {
    expect(() => splitCommand('   ')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => splitCommand('echo "open')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('console permissions', () => {
  it('asks the service permission for every console method, reads and writes alike', () => {
    const rules = Object.entries(METHOD_RULES).filter(([name]) => name.startsWith('console:'));
    expect(rules.length).toBe(14);
    for (const [name, rule] of rules) expect(rule, name).toMatchObject({ needs: 'service' });
  });
});
