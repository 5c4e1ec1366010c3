"""Typed low-level client of the engine (engine.v1.Engine over gRPC).

Everything here needs only grpcio, protobuf and numpy (Debian 12: python3-grpcio,
python3-protobuf, python3-numpy). Arrays come back as numpy views of the answer's packed bytes
(little-endian, row-major), copied once where a writable array is handed to the caller.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence, Union

import grpc
import numpy as np

from ._gen import engine_pb2 as pb
from ._gen import engine_pb2_grpc as pb_grpc

# Answers for tens of thousands of environments pass gRPC's 4 MiB default.
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]

_DTYPES = {"float32": np.dtype("<f4"), "uint8": np.dtype("u1")}


class EngineError(Exception):
    """A refusal from the engine: `code` is the gRPC status name (e.g. "INVALID_ARGUMENT")."""

    def __init__(self, code: str, details: str):
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details


def _wrap(e: grpc.RpcError) -> EngineError:
    return EngineError(e.code().name, e.details() or "")


@dataclass(frozen=True)
class GameSpec:
    """What GetCapabilities says about one game, decoded."""

    env_id: str
    num_actions: int
    obs_shape: tuple
    obs_dtype: np.dtype
    obs_low: np.ndarray
    obs_high: np.ndarray
    slices: dict
    num_players: int
    reward_low: float
    reward_high: float
    zero_sum: bool
    max_episode_steps: int
    max_horizon: int
    description: str
    capabilities: pb.Capabilities = field(repr=False)

    @classmethod
    def from_capabilities(cls, c: pb.Capabilities) -> "GameSpec":
        if c.WhichOneof("action_space") != "discrete":
            raise EngineError("FAILED_PRECONDITION", f"{c.id.env_id}: only Discrete action spaces are supported by this client")
        o = c.observation
        shape = tuple(o.shape) or (c.obs_bytes,)
        dtype = _DTYPES.get(o.dtype or "uint8")
        if dtype is None:
            raise EngineError("FAILED_PRECONDITION", f"{c.id.env_id}: unknown observation dtype {o.dtype!r}")
        size = int(np.prod(shape))

        def bounds(v: Sequence[float], default: float) -> np.ndarray:
            a = np.asarray(list(v) or [default], dtype=np.float32)
            return np.broadcast_to(a, (size,)).reshape(shape).copy() if a.size in (1, size) else a

        return cls(
            env_id=c.id.env_id,
            num_actions=c.discrete.n,
            obs_shape=shape,
            obs_dtype=dtype,
            obs_low=bounds(o.low, -np.inf),
            obs_high=bounds(o.high, np.inf),
            slices={s.name: slice(s.start, s.start + s.length) for s in o.slices},
            num_players=c.num_players or 1,
            reward_low=c.reward.low,
            reward_high=c.reward.high,
            zero_sum=c.reward.zero_sum,
            max_episode_steps=c.max_episode_steps,
            max_horizon=c.max_horizon,
            description=c.description,
            capabilities=c,
        )


@dataclass
class Batch:
    """One Simulate answer: arrays over the k environments it covers (`env_indices`)."""

    env_indices: np.ndarray
    obs: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    action_mask: np.ndarray
    current_player: np.ndarray
    episodes: np.ndarray
    final_obs: np.ndarray
    reset_seeds: list
    states: list

    @classmethod
    def decode(cls, r: pb.SimulateResponse, spec: GameSpec, num_envs: int) -> "Batch":
        k = len(r.terminated)
        idx = np.asarray(r.env_indices, dtype=np.int64) if len(r.env_indices) else np.arange(num_envs)
        return cls(
            env_indices=idx,
            obs=np.frombuffer(r.obs, dtype=spec.obs_dtype).reshape((k,) + spec.obs_shape),
            rewards=np.frombuffer(r.rewards, dtype="<f4").reshape(k, spec.num_players),
            terminated=np.frombuffer(r.terminated, dtype=np.bool_),
            truncated=np.frombuffer(r.truncated, dtype=np.bool_),
            action_mask=np.frombuffer(r.action_mask, dtype=np.bool_).reshape(k, spec.num_actions),
            current_player=np.frombuffer(r.current_player, dtype=np.uint8),
            episodes=np.frombuffer(r.episodes, dtype="<u4"),
            final_obs=np.frombuffer(r.final_obs, dtype=spec.obs_dtype).reshape((-1,) + spec.obs_shape),
            reset_seeds=list(r.reset_seeds),
            states=list(r.states),
        )


_CLOSE = object()


class SimulateStream:
    """One Simulate stream: `first` holds the open's answer; `step` (or `send` + `recv`) the rest.

    Requests go out through a queue the gRPC thread drains; answers come back in order, one per
    request, so several requests may be sent before their answers are read (async stepping).
    """

    def __init__(self, stub: pb_grpc.EngineStub, spec: GameSpec, open_: pb.SimulateOpen, timeout: Optional[float] = None):
        self.spec = spec
        self.num_envs = open_.num_envs
        self._requests: "queue.Queue[object]" = queue.Queue()
        self._requests.put(pb.SimulateRequest(open=open_))
        self._call = stub.Simulate(self._iter(), timeout=timeout)
        self._pending = 1
        self._lock = threading.Lock()
        self.first = self.recv()

    def _iter(self) -> Iterator[pb.SimulateRequest]:
        while True:
            r = self._requests.get()
            if r is _CLOSE:
                return
            yield r  # type: ignore[misc]

    def send(self, actions: Union[np.ndarray, Sequence[int]], env_indices: Optional[Sequence[int]] = None) -> None:
        """Queues a step: one Discrete action per environment (all, or those in env_indices)."""
        a = np.ascontiguousarray(actions, dtype="<i4")
        step = pb.SimulateStep(actions=a.tobytes())
        if env_indices is not None:
            step.env_indices.extend(int(i) for i in env_indices)
        self._pending += 1
        self._requests.put(pb.SimulateRequest(step=step))

    def recv(self) -> Batch:
        """The answer to the oldest request not yet received; EngineError if it was refused."""
        if self._pending == 0:
            raise RuntimeError("recv() without a request outstanding")
        try:
            r = next(self._call)
        except grpc.RpcError as e:
            raise _wrap(e) from None
        except StopIteration:
            raise EngineError("UNAVAILABLE", "the Simulate stream ended") from None
        finally:
            self._pending -= 1
        if r.error:
            raise EngineError(r.error_code or "INVALID_ARGUMENT", r.error)
        return Batch.decode(r, self.spec, self.num_envs)

    def step(self, actions: Union[np.ndarray, Sequence[int]], env_indices: Optional[Sequence[int]] = None) -> Batch:
        self.send(actions, env_indices)
        return self.recv()

    def close(self) -> None:
        """Ends the stream (the engine frees its environments at once)."""
        self._requests.put(_CLOSE)
        self._call.cancel()


class EngineClient:
    """Unary calls and Simulate streams over one channel (insecure: the engine serves loopback)."""

    def __init__(self, address: str = "127.0.0.1:50051", *, timeout: Optional[float] = 30.0):
        self.address = address
        self.timeout = timeout
        self.channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
        self.stub = pb_grpc.EngineStub(self.channel)
        self._specs: dict = {}

    def __enter__(self) -> "EngineClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.channel.close()

    def _call(self, method, request):
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as e:
            raise _wrap(e) from None

    def list_games(self) -> list:
        games = [GameSpec.from_capabilities(c) for c in self._call(self.stub.ListGames, pb.ListGamesRequest()).games if c.WhichOneof("action_space") == "discrete"]
        self._specs.update({g.env_id: g for g in games})
        return games

    def spec(self, env_id: str) -> GameSpec:
        if env_id not in self._specs:
            self._specs[env_id] = GameSpec.from_capabilities(self._call(self.stub.GetCapabilities, pb.EngineId(env_id=env_id)))
        return self._specs[env_id]

    def reset(self, env_id: str, seed: int, hint: bytes = b"") -> tuple:
        """(state bytes, observation array) of a new episode."""
        r = self._call(self.stub.Reset, pb.ResetRequest(id=pb.EngineId(env_id=env_id), seed=seed, hint=hint))
        return r.state, self._obs(env_id, r.obs)

    def step(self, env_id: str, state: bytes, action: Union[int, bytes]) -> tuple:
        """(state, observation, reward, done) after one action (an index, or encoded bytes)."""
        a = bytes([action]) if isinstance(action, int) else action
        r = self._call(self.stub.Step, pb.StepRequest(id=pb.EngineId(env_id=env_id), state=state, action=a))
        return r.state, self._obs(env_id, r.obs), r.reward, r.done

    def _obs(self, env_id: str, b: bytes) -> np.ndarray:
        s = self.spec(env_id)
        return np.frombuffer(b, dtype=s.obs_dtype).reshape(s.obs_shape)

    def simulate(
        self,
        env_id: str,
        num_envs: int,
        *,
        seed: int = 0,
        seeds: Optional[Sequence[int]] = None,
        max_episode_steps: int = 0,
        include_state: bool = False,
        hint: bytes = b"",
        timeout: Optional[float] = None,
    ) -> SimulateStream:
        """Opens a Simulate stream; its `first` holds every environment's first observation."""
        spec = self.spec(env_id)
        o = pb.SimulateOpen(id=pb.EngineId(env_id=env_id), num_envs=num_envs, seed=seed % 2**64, max_episode_steps=max_episode_steps, include_state=include_state, hint=hint)
        if seeds is not None:
            o.seeds.extend(int(s) % 2**64 for s in seeds)
        return SimulateStream(self.stub, spec, o, timeout)
