/** Numbers, times and measured values as a technician reads them. */

export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
  if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/** Local time of an ISO timestamp (the date too when it is not today); the text itself when it does not parse. */
export function formatTime(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return date.toDateString() === now.toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

export function formatDuration(startIso: string | undefined, endIso: string | undefined): string {
  if (!startIso || !endIso) return '';
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A measured value or limit (number, text, boolean, anything JSON) as short text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '—';
  } catch {
    return String(value);
  }
}

export function formatLimits(limits: { min?: number | string; max?: number | string; pattern?: string; expected?: unknown }, unit?: string): string {
  const u = unit ? ` ${unit}` : '';
  const parts: string[] = [];
  if (limits.min !== undefined && limits.max !== undefined) parts.push(`${limits.min} … ${limits.max}${u}`);
  else if (limits.min !== undefined) parts.push(`≥ ${limits.min}${u}`);
  else if (limits.max !== undefined) parts.push(`≤ ${limits.max}${u}`);
  if (limits.pattern !== undefined) parts.push(`matches ${limits.pattern}`);
  if (limits.expected !== undefined) parts.push(`= ${formatValue(limits.expected)}`);
  return parts.length > 0 ? parts.join(', ') : '—';
}
