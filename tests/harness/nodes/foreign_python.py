#!/usr/bin/env python3
"""A Maelstrom node written in plain Python, with no library: echo, unique-ids
and broadcast. It shows that the embedded harness takes any executable that
speaks Maelstrom's protocol, as the real Maelstrom does."""
import json
import os
import select
import sys
import time

# Every node sends its whole set to every peer on this fixed schedule. The
# schedule is a deadline, not an idle timeout: a node that only gossiped after
# this long *without input* was starved by its peers' gossip (each arrival
# restarted its wait), so a value only it held could stay unsent past the
# harness's recovery window.
GOSSIP_INTERVAL_S = 0.1

node_id = None
node_ids = []
next_msg_id = 0
seen = set()
counter = 0


def send(dest, body):
    global next_msg_id
    next_msg_id += 1
    body = dict(body, msg_id=next_msg_id)
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def reply(req, body):
    send(req["src"], dict(body, in_reply_to=req["body"].get("msg_id")))


def gossip():
    for peer in node_ids:
        if peer != node_id and seen:
            send(peer, {"type": "gossip", "values": sorted(seen)})


def handle(msg):
    global node_id, node_ids, counter
    body = msg["body"]
    kind = body["type"]
    if kind == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        reply(msg, {"type": "init_ok"})
    elif kind == "echo":
        reply(msg, {"type": "echo_ok", "echo": body["echo"]})
    elif kind == "generate":
        counter += 1
        reply(msg, {"type": "generate_ok", "id": "%s-%d" % (node_id, counter)})
    elif kind == "topology":
        reply(msg, {"type": "topology_ok"})
    elif kind == "broadcast":
        seen.add(body["message"])
        reply(msg, {"type": "broadcast_ok"})
    elif kind == "read":
        reply(msg, {"type": "read_ok", "messages": sorted(seen)})
    elif kind == "gossip":
        seen.update(body["values"])


def main():
    # Read the raw descriptor: a buffered readline would hide lines from select.
    pending = b""
    next_gossip = time.monotonic() + GOSSIP_INTERVAL_S
    while True:
        timeout = max(0.0, next_gossip - time.monotonic())
        ready, _, _ = select.select([0], [], [], timeout)
        if time.monotonic() >= next_gossip:
            gossip()
            next_gossip = time.monotonic() + GOSSIP_INTERVAL_S
        if not ready:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            return
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            handle(json.loads(line))


main()
