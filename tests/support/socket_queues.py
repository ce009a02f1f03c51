"""How many bytes a process has sent over its TCP connections on this host that the other end
has not read yet, from the kernel's socket tables (Linux ``/proc/net/tcp``).

A test that freezes a client (SIGSTOP) mid-conversation with a server waits on this reaching
zero, rather than for a guessed while, to know that the server has read everything the client
sent before it froze: on a loaded machine the server may take its time to read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple


class _Entry(NamedTuple):
    local: str  # "hexaddress:hexport", as the table spells it
    remote: str
    send_queue: int  # bytes sent, not yet acknowledged by the other end
    receive_queue: int  # bytes received, not yet read by the owner
    inode: int


def _entries() -> list[_Entry]:
    entries = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            send, receive = (int(part, 16) for part in fields[4].split(":"))
            entries.append(_Entry(fields[1], fields[2], send, receive, int(fields[9])))
    return entries


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def unread_bytes(pid: int) -> int:
    """Bytes ``pid`` sent that are still in its send queues or in the receive queues of the
    sockets at the other ends of its connections (when those are on this host)."""
    entries, own_inodes = _entries(), _socket_inodes(pid)
    by_ends = {(e.local, e.remote): e for e in entries}
    total = 0
    for own in (e for e in entries if e.inode in own_inodes):
        total += own.send_queue
        peer = by_ends.get((own.remote, own.local))
        if peer is not None:
            total += peer.receive_queue
    return total
