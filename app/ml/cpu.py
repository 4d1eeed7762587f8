"""What the CPU offers the fast backends, from the instruction-set flags that Linux lists in /proc/cpuinfo.

Elsewhere (no /proc/cpuinfo, or a CPU that lists its features under another name) no flag is known,
and callers take the choice that is safe on any CPU.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


@cache
def cpu_flags() -> frozenset[str]:
    """The x86 feature flags of the first CPU ("avx2", "avx512_vnni", "amx_bf16", ...); empty when unknown."""
    try:
        text = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()
