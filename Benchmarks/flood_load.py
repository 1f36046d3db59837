#!/usr/bin/env python3
"""Holds unauthenticated connections open against Yonke nodes, as an outsider
with no credential would: idle ones (connect, say nothing) and trickling ones
(a plausible hello, one byte a second). Whenever a node drops one, it is
opened again after --reopen-ms, so the attacker keeps trying to hold
--per-target connections against every target for as long as it runs.

Connections come from --sources loopback addresses (127.1.0.2 onwards; Linux
routes all of 127/8 to lo), standing in for that many machines, so the
per-source bounds of the node are exercised next to its global one.

Prints one JSON line a second: open connections (now), opened and dropped
(cumulative), connect errors. Stops on SIGTERM/SIGINT or after --seconds.
Used by Benchmarks/flood.sh and by the cluster test in Tests/YonkeCLITests.
"""
import argparse
import asyncio
import json
import resource
import signal
import sys
import time

# A hello frame's first bytes ([u32 length][version 1][kind 0xF0]...): what a
# slow client would plausibly send, so the node cannot tell it from one.
TRICKLE = bytes([0, 0, 0, 120, 1, 0xF0, 2, 0, 16]) + bytes(range(1, 200))


class Stats:
    def __init__(self):
        self.open = 0
        self.opened = 0
        self.dropped = 0
        self.errors = 0
        self.lifetimes = []  # seconds a connection lived before the node dropped it


class Held(asyncio.Protocol):
    def __init__(self, stats, closed):
        self.stats = stats
        self.closed = closed
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.stats.open += 1
        self.stats.opened += 1

    def data_received(self, data):
        pass  # a node never says anything we need

    def connection_lost(self, exc):
        self.stats.open -= 1
        self.stats.dropped += 1
        if not self.closed.done():
            self.closed.set_result(None)


class Tricklers:
    """Every trickling connection gets its next byte from one ticker a second,
    so holding thousands costs one loop pass a second, not a timer each."""

    def __init__(self):
        self.live = {}  # transport -> position in TRICKLE

    async def run(self, stop):
        while not stop.is_set():
            for transport, position in list(self.live.items()):
                if transport.is_closing():
                    self.live.pop(transport, None)
                    continue
                transport.write(TRICKLE[position % len(TRICKLE):position % len(TRICKLE) + 1])
                self.live[transport] = position + 1
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass


async def hold(loop, host, port, source, trickle, stats, reconnect_s, stop, tricklers):
    while not stop.is_set():
        closed = loop.create_future()
        try:
            transport, _ = await loop.create_connection(lambda: Held(stats, closed), host, port,
                                                        local_addr=(source, 0))
        except OSError:
            stats.errors += 1
            await asyncio.sleep(reconnect_s)
            continue
        started = time.monotonic()
        if trickle:
            tricklers.live[transport] = 0
        await closed  # the node drops it (or we are cancelled at the end)
        tricklers.live.pop(transport, None)
        stats.lifetimes.append(time.monotonic() - started)
        if len(stats.lifetimes) > 4000:
            del stats.lifetimes[:2000]
        await asyncio.sleep(reconnect_s)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", required=True, help="HOST:PORT,HOST:PORT,...")
    parser.add_argument("--per-target", type=int, default=1000, help="connections held against each target")
    parser.add_argument("--mode", choices=["idle", "trickle", "mixed"], default="mixed",
                        help="mixed: half idle, half one byte a second")
    parser.add_argument("--sources", type=int, default=100, help="source addresses 127.1.0.2 onwards")
    parser.add_argument("--reopen-ms", type=int, default=500)
    parser.add_argument("--ramp-per-second", type=int, default=5000, help="new connections a second while ramping up")
    parser.add_argument("--seconds", type=float, default=0, help="0: until SIGTERM")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    targets = [(t.rsplit(":", 1)[0], int(t.rsplit(":", 1)[1])) for t in args.targets.split(",")]
    needed = len(targets) * args.per_target + 64
    if needed > hard:
        print(f"error: {needed} descriptors needed, the hard limit is {hard}; run one process per target "
              f"or lower --per-target", file=sys.stderr)
        sys.exit(2)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stats = Stats()
    # 127.1.0.2, 127.1.0.3, ...: never 127.0.0.1, where the real client and the nodes connect from.
    sources = [f"127.{1 + i // 62500}.{i // 250 % 250}.{2 + i % 250}" for i in range(args.sources)]
    tasks = []
    started = time.monotonic()

    async def report():
        while not stop.is_set():
            lifetimes = sorted(stats.lifetimes[-2000:])
            median = lifetimes[len(lifetimes) // 2] if lifetimes else None
            print(json.dumps({"t": round(time.monotonic() - started, 1), "open": stats.open, "opened": stats.opened,
                              "dropped": stats.dropped, "errors": stats.errors,
                              "medianLifetimeSeconds": median and round(median, 2)}), flush=True)
            if args.seconds and time.monotonic() - started >= args.seconds:
                stop.set()
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    reporter = asyncio.create_task(report())
    tricklers = Tricklers()
    ticker = asyncio.create_task(tricklers.run(stop))
    index = 0
    for host, port in targets:
        for n in range(args.per_target):
            trickle = args.mode == "trickle" or (args.mode == "mixed" and n % 2 == 1)
            source = sources[index % len(sources)]
            tasks.append(asyncio.create_task(
                hold(loop, host, port, source, trickle, stats, args.reopen_ms / 1000, stop, tricklers)))
            index += 1
            if index % max(1, args.ramp_per_second // 100) == 0:
                await asyncio.sleep(0.01)
            if stop.is_set():
                break
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await reporter
    await ticker


if __name__ == "__main__":
    asyncio.run(main())
