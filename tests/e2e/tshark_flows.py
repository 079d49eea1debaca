#!/usr/bin/env python3
"""Compare gapflow's per-flow counts with tshark's own dissection.

usage: tshark_flows.py CAPTURE GAPDUMP_CSV

The CSV comes from `gapdump -n -o csv -s flowid,proto,saddr,sport,daddr,
dport,spkts,dpkts,sbytes,dbytes,sappbytes,dappbytes,icmperr`.  Records of
one flow (same flowid) are summed.  tshark reads the capture independently;
its packets are grouped by direction of the innermost IP header (the
decapsulated packet, as gapflow keys flows), with IP reassembly off so each
fragment is a frame of its own.  ICMP errors are counted against the flow
they quote (gapflow's icmperr), not as packets.  Prints the differences and
exits 1 if there are any.
"""
import csv
import subprocess
import sys
from collections import defaultdict

ICMP_ERR4 = {3, 4, 5, 11, 12}
ICMP_ERR6 = {1, 2, 3, 4}
FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "ip.proto", "ipv6.nxt",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "icmp.type", "icmpv6.type", "icmp.ident", "icmpv6.echo.identifier",
          "frame.len", "tcp.len", "udp.length", "ip.id", "ip.frag_offset",
          "ip.flags.mf", "ip.len", "ip.hdr_len", "frame.protocols",
          "ipv6.fraghdr.nxt", "ipv6.fraghdr.ident", "ipv6.fraghdr.offset",
          "ipv6.fraghdr.more", "ipv6.plen"]


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "separator=|",
           "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("tshark failed: " + run.stderr.strip())
    out = run.stdout
    for line in out.splitlines():
        yield dict(zip(FIELDS, line.split("|")))


def first_int(s, default=None):
    return int(s, 0) if s not in ("", None) else default


def innermost_ip(r):
    """Family of the innermost IP layer, from the protocol stack."""
    layers = r["frame.protocols"].split(":")
    for layer in reversed(layers):
        if layer in ("ip", "ipv6"):
            return layer
    return None


def main():
    cap, gcsv = sys.argv[1], sys.argv[2]
    # tshark: (proto, src, sport, dst, dport) -> [pkts, bytes, appbytes]
    ts = defaultdict(lambda: [0, 0, 0])
    ts_icmperr = 0
    frag_ports = {}
    for r in tshark_rows(cap):
        fam = innermost_ip(r)
        if fam is None:
            continue                      # not IP
        src, dst = (r["ip.src"], r["ip.dst"]) if fam == "ip" else (r["ipv6.src"], r["ipv6.dst"])
        t4 = first_int(r["icmp.type"], -1)
        t6 = first_int(r["icmpv6.type"], -1)
        if t4 in ICMP_ERR4 or t6 in ICMP_ERR6:
            ts_icmperr += 1               # quotes a flow's packet
            continue
        if r["tcp.srcport"]:
            proto = 6
        elif r["udp.srcport"]:
            proto = 17
        elif r["icmp.type"]:
            proto = 1
        elif r["icmpv6.type"]:
            proto = 58
        elif fam == "ip":
            proto = first_int(r["ip.proto"])
        else:
            proto = first_int(r["ipv6.fraghdr.nxt"] or r["ipv6.nxt"])
        sport = dport = 0
        app = 0
        if proto == 6:
            sport, dport = first_int(r["tcp.srcport"], 0), first_int(r["tcp.dstport"], 0)
            app = first_int(r["tcp.len"], 0)
        elif proto == 17:
            sport, dport = first_int(r["udp.srcport"], 0), first_int(r["udp.dstport"], 0)
            app = max(first_int(r["udp.length"], 8) - 8, 0)
        elif proto in (1, 58):
            t = first_int(r["icmp.type"] or r["icmpv6.type"], -1)
            if (proto == 1 and t in ICMP_ERR4) or (proto == 58 and t in ICMP_ERR6):
                ts_icmperr += 1
                continue
            ident = first_int(r["icmp.ident"] or r["icmpv6.echo.identifier"], None)
            if ident is not None:
                # echo: the requester is the source; key both ways the same
                req = t in (8, 128)
                a, b = (src, dst) if req else (dst, src)
                key = (proto, a, 8 if proto == 1 else 128, b, ident)
                slot = 0 if req else 1
                e = ts[key + (slot,)]
                e[0] += 1
                e[1] += first_int(r["frame.len"])
                continue
        # fragments: later ones carry the first one's ports; payload
        # counts come from the IP lengths, fragment by fragment
        if fam == "ip":
            off = first_int(r["ip.frag_offset"], 0)
            more = r["ip.flags.mf"] in ("1", "True")
            fid = r["ip.id"]
            iplen = first_int(r["ip.len"], 0) - first_int(r["ip.hdr_len"], 20)
        else:
            off = first_int(r["ipv6.fraghdr.offset"], 0)
            more = r["ipv6.fraghdr.more"] in ("1", "True")
            fid = r["ipv6.fraghdr.ident"]
            iplen = None
        if proto in (6, 17) and (more or off) and fid:
            if off == 0:
                frag_ports[(src, dst, proto, fid)] = (sport, dport)
                if proto == 17 and iplen is not None:
                    app = iplen - 8
            else:
                sport, dport = frag_ports.get((src, dst, proto, fid), (0, 0))
                app = iplen if iplen is not None else app
        e = ts[(proto, src, sport, dst, dport, None)]
        e[0] += 1
        e[1] += first_int(r["frame.len"])
        e[2] += app

    # gapflow, summed per flowid
    flows = {}
    icmperr = 0
    with open(gcsv) as f:
        for row in csv.DictReader(f):
            fid = row["flowid"]
            d = flows.setdefault(fid, {"key": None, "c": [0] * 6})
            d["key"] = (int(row["proto"]), row["saddr"], int(row["sport"]),
                        row["daddr"], int(row["dport"]))
            for i, k in enumerate(["spkts", "dpkts", "sbytes", "dbytes",
                                   "sappbytes", "dappbytes"]):
                d["c"][i] += int(row[k])
            icmperr += int(row["icmperr"])

    bad = []
    used = set()
    for fid, d in flows.items():
        proto, s, sp, dd, dp = d["key"]
        if proto in (1, 58) and (proto, s, sp, dd, dp, 0) in ts:
            fwd, rev = ts[(proto, s, sp, dd, dp, 0)], ts.get((proto, s, sp, dd, dp, 1), [0, 0, 0])
            used.add((proto, s, sp, dd, dp, 0))
            used.add((proto, s, sp, dd, dp, 1))
            want = [fwd[0], rev[0], fwd[1], rev[1], 0, 0]
            got = d["c"][:4] + [0, 0]
        else:
            fk, rk = (proto, s, sp, dd, dp, None), (proto, dd, dp, s, sp, None)
            fwd, rev = ts.get(fk, [0, 0, 0]), ts.get(rk, [0, 0, 0])
            used.add(fk)
            used.add(rk)
            want = [fwd[0], rev[0], fwd[1], rev[1], fwd[2], rev[2]]
            got = d["c"]
        if proto not in (6, 17):
            want[4:] = got[4:]            # payload compared for TCP/UDP only
        if got != want:
            bad.append("flow %s %s: gapflow %s, tshark %s" % (fid, d["key"], got, want))
    for k, v in ts.items():
        if k not in used:
            bad.append("tshark conversation %s (%d packets) has no gapflow flow" % (k, v[0]))
    if icmperr != ts_icmperr:
        bad.append("ICMP errors: gapflow icmperr %d, tshark %d" % (icmperr, ts_icmperr))
    for b in bad:
        print("  " + b)
    print("%d flows compared, %d differences" % (len(flows), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
