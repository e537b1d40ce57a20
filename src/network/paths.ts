/**
 * Latency and transfer time between a user group and a site, and the egress a response causes.
 *
 * A request travels user → site (half the round trip plus the upload at the user's uplink rate) and the
 * response travels back (half the round trip plus the download at the user's downlink rate). The round trip
 * is the user's access RTT to the kind of site (metro edge or cloud entry) plus the inter-region RTT when the
 * site is in another region. A `device` site is the user's own device: no network at all, and only users of
 * the same region can use it. An edge site whose local network the users sit on (their `lan_site`) is reached
 * over that LAN: the access RTT to an edge site, no egress, and the bytes counted as LAN traffic (energy per GB
 * of the LAN segment, not of the WAN).
 */
import type { NetworkSettings, Site, UserGroup } from '../model/types.js';

export interface Path {
  /** False when the user cannot reach the site at all (a device site in another region). */
  reachable: boolean;
  rtt_s: number;
  /** user → site: half the RTT plus upload time, seconds. */
  up_s: number;
  /** site → user: half the RTT plus download time, seconds. */
  down_s: number;
  /** Response bytes that leave a cloud region (billed as egress). */
  egress_bytes: number;
  /** Bytes carried over the network per request (both directions; for network energy). */
  network_bytes: number;
  /** True when the site is on the users' own LAN: network_bytes cross that LAN only, never the WAN. */
  lan: boolean;
}

export function transferTime(bytes: number, bitsPerSecond: number): number {
  if (bytes <= 0) return 0;
  return (bytes * 8) / bitsPerSecond;
}

export function roundTrip(user: UserGroup, site: Site, network: NetworkSettings): number {
  if (site.kind === 'device') return 0;
  const access = site.kind === 'edge' ? user.access_rtt_edge_s : user.access_rtt_cloud_s;
  const interRegion = user.region === site.region ? 0 : network.rtt_s[user.region][site.region];
  return access + interRegion;
}

export function path(
  user: UserGroup,
  site: Site,
  network: NetworkSettings,
  request: { upload_bytes: number; download_bytes: number },
): Path {
  if (site.kind === 'device') {
    const reachable = site.region === user.region;
    return { reachable, rtt_s: 0, up_s: 0, down_s: 0, egress_bytes: 0, network_bytes: 0, lan: false };
  }
  const rtt = roundTrip(user, site, network);
  const kind = site.kind;
  return {
    reachable: site.serves === null || site.serves.includes(user.index),
    rtt_s: rtt,
    up_s: rtt / 2 + transferTime(request.upload_bytes, user.uplink_bps[kind]),
    down_s: rtt / 2 + transferTime(request.download_bytes, user.downlink_bps[kind]),
    egress_bytes: site.kind === 'cloud' ? request.download_bytes : 0,
    network_bytes: request.upload_bytes + request.download_bytes,
    lan: user.lan_site !== undefined && user.lan_site >= 0 && user.lan_site === site.index,
  };
}
