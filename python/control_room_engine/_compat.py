"""Optional gymnasium / pettingzoo: their base classes and spaces when importable, plain stand-ins
with the same attributes otherwise (the package needs only grpcio and numpy)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

try:  # pragma: no cover - depends on what is installed
    import gymnasium
    from gymnasium import spaces as _spaces

    HAVE_GYMNASIUM = True
    GymEnv: Any = gymnasium.Env
    GymVectorEnv: Any = gymnasium.vector.VectorEnv
except ImportError:
    HAVE_GYMNASIUM = False
    GymEnv = object
    GymVectorEnv = object

try:  # pragma: no cover
    from gymnasium.vector import AutoresetMode  # gymnasium >= 1.1
except ImportError:

    class AutoresetMode(enum.Enum):  # type: ignore[no-redef]
        """Gymnasium's names for when a vector env resets a sub-env (this package uses SAME_STEP)."""

        NEXT_STEP = "NextStep"
        SAME_STEP = "SameStep"
        DISABLED = "Disabled"


try:  # pragma: no cover
    import pettingzoo

    HAVE_PETTINGZOO = True
    AECBase: Any = pettingzoo.AECEnv
except ImportError:
    HAVE_PETTINGZOO = False
    AECBase = object


@dataclass(frozen=True)
class BoxSpec:
    """Stands in for gymnasium.spaces.Box."""

    low: np.ndarray
    high: np.ndarray
    shape: tuple
    dtype: np.dtype


@dataclass(frozen=True)
class DiscreteSpec:
    """Stands in for gymnasium.spaces.Discrete."""

    n: int


@dataclass(frozen=True)
class MultiDiscreteSpec:
    """Stands in for gymnasium.spaces.MultiDiscrete."""

    nvec: tuple


def box_space(low: Any, high: Any, shape: tuple, dtype: np.dtype) -> Any:
    low = np.broadcast_to(np.asarray(low, dtype=dtype), shape)
    high = np.broadcast_to(np.asarray(high, dtype=dtype), shape)
    return _spaces.Box(low=low, high=high, shape=shape, dtype=dtype) if HAVE_GYMNASIUM else BoxSpec(low, high, shape, dtype)


def discrete_space(n: int) -> Any:
    return _spaces.Discrete(n) if HAVE_GYMNASIUM else DiscreteSpec(n)


def multi_discrete_space(nvec: list) -> Any:
    return _spaces.MultiDiscrete(nvec) if HAVE_GYMNASIUM else MultiDiscreteSpec(tuple(nvec))


def dict_space(**parts: Any) -> Any:
    return _spaces.Dict(parts) if HAVE_GYMNASIUM else dict(parts)
