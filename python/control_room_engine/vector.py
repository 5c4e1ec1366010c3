"""Gymnasium-style environments over Simulate: a vector env (`VectorEnv`) and a single `Env`.

Auto-reset is Gymnasium's SAME_STEP mode (the engine's): when a sub-environment's episode ends in
a step, that step already returns the next episode's first observation; the ended episode's last
observation is in infos["final_obs"] (rows where infos["_final_obs"] is True). No step ever ignores
an action, so every transition a step returns is real.

With gymnasium installed the classes subclass gymnasium's and declare real spaces; without it they
are plain classes with the same methods and `spec`-derived space descriptions.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from ._compat import AutoresetMode, GymEnv, GymVectorEnv, box_space, discrete_space, multi_discrete_space
from .client import Batch, EngineClient, GameSpec, SimulateStream


def _seeds(seed: Union[None, int, Sequence[int]], n: int) -> Optional[list]:
    if seed is None:
        return None
    if isinstance(seed, (int, np.integer)):
        return [int(seed) + i for i in range(n)]
    if len(seed) != n:
        raise ValueError(f"seed: give one int or {n} of them, got {len(seed)}")
    return [int(s) for s in seed]


class VectorEnv(GymVectorEnv):  # type: ignore[misc, valid-type]
    """`num_envs` copies of one game, stepped together over one Simulate stream.

    step(actions) -> (obs, rewards, terminated, truncated, infos); rewards are the reward of the
    player who acted (infos["rewards"] has every player's, [n, num_players]). infos also holds
    "action_mask" (bool [n, num_actions]), "current_player", "episode" and the final observations.
    For async use (EnvPool-style), send(actions, env_ids) and recv() step a subset.
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}

    def __init__(self, env_id: str, num_envs: int, *, address: str = "127.0.0.1:50051", client: Optional[EngineClient] = None, max_episode_steps: int = 0, include_state: bool = False):
        self._own_client = client is None
        self.client = client or EngineClient(address)
        self.spec_ = self.client.spec(env_id)
        self.env_id = env_id
        self.num_envs = num_envs
        self.max_episode_steps = max_episode_steps
        self.include_state = include_state
        s = self.spec_
        self.single_observation_space = box_space(s.obs_low, s.obs_high, s.obs_shape, s.obs_dtype)
        self.single_action_space = discrete_space(s.num_actions)
        self.observation_space = box_space(np.broadcast_to(s.obs_low, (num_envs,) + s.obs_shape), np.broadcast_to(s.obs_high, (num_envs,) + s.obs_shape), (num_envs,) + s.obs_shape, s.obs_dtype)
        self.action_space = multi_discrete_space([s.num_actions] * num_envs)
        self._stream: Optional[SimulateStream] = None
        self._player = np.zeros(num_envs, dtype=np.uint8)
        self._next_seed = 0

    @property
    def spec_info(self) -> GameSpec:
        return self.spec_

    def reset(self, *, seed: Union[None, int, Sequence[int]] = None, options: Optional[dict] = None) -> tuple:
        """Opens a fresh stream: sub-env i starts from seed + i (or seed[i]); returns (obs, infos)."""
        if self._stream is not None:
            self._stream.close()
        seeds = _seeds(seed, self.num_envs)
        if seeds is None:
            # Unseeded resets still differ from one another (and are replayable from infos["seed"]).
            seeds = [self._next_seed + i for i in range(self.num_envs)]
            self._next_seed += self.num_envs
        self._stream = self.client.simulate(self.env_id, self.num_envs, seeds=seeds, max_episode_steps=self.max_episode_steps, include_state=self.include_state)
        b = self._stream.first
        self._player = b.current_player.copy()
        infos = self._infos(b, self.num_envs)
        infos["seed"] = np.asarray(seeds, dtype=np.uint64)
        return b.obs.copy(), infos

    def step(self, actions: Any) -> tuple:
        return self._result(self._require().step(actions))

    def send(self, actions: Any, env_ids: Optional[Sequence[int]] = None) -> None:
        """Async stepping: queue actions for env_ids (all when None); recv() returns the answer."""
        self._require().send(actions, env_ids)

    def recv(self) -> tuple:
        """(obs, rewards, terminated, truncated, infos) for the envs of the oldest send; infos["env_id"] names them."""
        return self._result(self._require().recv())

    def _require(self) -> SimulateStream:
        if self._stream is None:
            raise RuntimeError("call reset() before step()")
        return self._stream

    def _result(self, b: Batch) -> tuple:
        k = len(b.terminated)
        mover = self._player[b.env_indices].astype(np.int64)
        rewards = b.rewards[np.arange(k), mover] if self.spec_.num_players > 1 else b.rewards[:, 0].copy()
        self._player[b.env_indices] = b.current_player
        return b.obs.copy(), rewards, b.terminated.copy(), b.truncated.copy(), self._infos(b, k)

    def _infos(self, b: Batch, k: int) -> dict:
        ended = b.terminated | b.truncated
        final = np.zeros((k,) + self.spec_.obs_shape, dtype=self.spec_.obs_dtype)
        final[ended] = b.final_obs
        seeds = np.zeros(k, dtype=np.uint64)
        seeds[ended] = np.asarray(b.reset_seeds, dtype=np.uint64)
        infos = {
            "env_id": b.env_indices,
            "action_mask": b.action_mask.copy(),
            "current_player": b.current_player.copy(),
            "episode": b.episodes.copy(),
            "rewards": b.rewards.copy(),
            "final_obs": final,
            "_final_obs": ended,
            "reset_seed": seeds,
        }
        if b.states:
            infos["state"] = b.states
        return infos

    def close(self, **kwargs: Any) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._own_client:
            self.client.close()


class Env(GymEnv):  # type: ignore[misc, valid-type]
    """One environment (a Simulate stream of one). After an episode ends, step() returns its last
    observation; the next reset() without a seed starts the episode the engine already began."""

    def __init__(self, env_id: str, *, address: str = "127.0.0.1:50051", client: Optional[EngineClient] = None, max_episode_steps: int = 0):
        self._vec = VectorEnv(env_id, 1, address=address, client=client, max_episode_steps=max_episode_steps)
        self.observation_space = self._vec.single_observation_space
        self.action_space = self._vec.single_action_space
        self._pending: Optional[tuple] = None
        self._over = True

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None) -> tuple:
        if seed is None and self._pending is not None:
            obs, info = self._pending
        else:
            obs, infos = self._vec.reset(seed=None if seed is None else [seed])
            info = {k: v[0] if isinstance(v, np.ndarray) else v for k, v in infos.items()}
            obs = obs[0]
        self._pending = None
        self._over = False
        return obs, info

    def step(self, action: int) -> tuple:
        if self._over:
            raise RuntimeError("the episode is over (or not started): call reset()")
        obs, r, term, trunc, infos = self._vec.step(np.asarray([action]))
        info = {k: v[0] for k, v in infos.items() if isinstance(v, np.ndarray) and k != "final_obs"}
        if term[0] or trunc[0]:
            # Same-step auto-reset: keep the new episode's start for reset(); answer the last obs.
            self._pending = (obs[0], {k: info[k] for k in ("action_mask", "current_player", "episode", "reset_seed")})
            self._over = True
            return infos["final_obs"][0], float(r[0]), bool(term[0]), bool(trunc[0]), info
        return obs[0], float(r[0]), False, False, info

    def close(self) -> None:
        self._vec.close()
