/**
 * Talking to the neighbours about an address, before and after taking it:
 * the duplicate-address check (`arping -0` for IPv4: a probe from 0.0.0.0 as
 * in RFC 5227; `ndisc6` for IPv6: a neighbour solicitation) and the
 * announcements (gratuitous ARP with `arping -U`, unsolicited neighbour
 * advertisement with the override flag with `na6`).
 */
import { runCommand, CommandError } from './commands';
import type { VipAddress } from './vip-file';

/** The MAC of another host answering for `vip` on `iface`, or null when nobody answered within `timeoutMs`. */
export async function duplicateHolder(vip: VipAddress, iface: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  if (vip.family === 4) {
    // -C 1: exit at the first answer. Exit 0 = answered, 1 = nobody did.
    const r = await runCommand('arping', ['-0', '-c', '1', '-C', '1', '-w', (timeoutMs / 1000).toFixed(3), '-i', iface, vip.address], signal);
    if (r.code === 1) return null;
    if (r.code !== 0) throw new CommandError(`arping duplicate check for ${vip.address} on ${iface} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    return /from ([0-9a-f:]{17})/i.exec(r.stdout)?.[1]?.toLowerCase() ?? 'an unknown MAC';
  }
  // -1: stop at the first answer; exit 0 = answered, 2 = no response.
  const r = await runCommand('ndisc6', ['-1', '-r', '1', '-w', String(Math.max(1, Math.round(timeoutMs))), vip.address, iface], signal);
  if (r.code === 2) return null;
  if (r.code !== 0) throw new CommandError(`ndisc6 duplicate check for ${vip.address} on ${iface} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return /Target link-layer address:\s*([0-9a-f:]{17})/i.exec(r.stdout)?.[1]?.toLowerCase() ?? 'an unknown MAC';
}

/** Send one announcement of `vip` (held on `iface`, whose MAC is `mac`). Resolves when sent; a missing tool rejects. */
export async function announceOnce(vip: VipAddress, iface: string, mac: string, signal?: AbortSignal): Promise<void> {
  if (vip.family === 4) {
    // Habets arping waits for replies to its request; nobody replies to a gratuitous ARP (exit 1 is normal).
    const r = await runCommand('arping', ['-q', '-U', '-c', '1', '-w', '0.01', '-S', vip.address, '-i', iface, vip.address], signal);
    if (r.code > 1) throw new CommandError(`arping -U ${vip.address} on ${iface} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    return;
  }
  // To all nodes, target = source = the address, override flag, our MAC as the target link-layer address.
  const r = await runCommand('na6', ['-i', iface, '-s', vip.address, '-d', 'ff02::1', '-t', vip.address, '-o', '-E', mac], signal);
  if (r.code !== 0) throw new CommandError(`na6 ${vip.address} on ${iface} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
}
