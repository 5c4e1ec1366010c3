"""A PettingZoo-style AEC (agent-environment cycle) wrapper for turn-based multi-player games.

Agents are "player_0", "player_1", ...; `agent_selection` is the engine's current player. When a
game ends every agent gets its reward (zero-sum games: the winner +1, the loser -1) and is
terminated; each then takes one dead step (action None) and leaves `agents`, as in PettingZoo.
Observations are the engine's, from the point of view of the player to move, as a dict with
"observation" and "action_mask" (the layout of PettingZoo's classic games).
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import numpy as np

from ._compat import AECBase, box_space, dict_space, discrete_space
from .client import EngineClient, SimulateStream


class AECEnv(AECBase):  # type: ignore[misc, valid-type]
    metadata = {"name": "control_room_engine_aec", "is_parallelizable": False}

    def __init__(self, env_id: str, *, address: str = "127.0.0.1:50051", client: Optional[EngineClient] = None, max_episode_steps: int = 0):
        self._own_client = client is None
        self.client = client or EngineClient(address)
        self.game = self.client.spec(env_id)
        if self.game.num_players < 2:
            raise ValueError(f"{env_id} has {self.game.num_players} player; AECEnv is for multi-player games (use Env)")
        self.env_id = env_id
        self.max_episode_steps = max_episode_steps
        self.possible_agents = [f"player_{i}" for i in range(self.game.num_players)]
        g = self.game
        obs = box_space(g.obs_low, g.obs_high, g.obs_shape, g.obs_dtype)
        mask = box_space(0, 1, (g.num_actions,), np.dtype(np.int8))
        self.observation_spaces = {a: dict_space(observation=obs, action_mask=mask) for a in self.possible_agents}
        self.action_spaces = {a: discrete_space(g.num_actions) for a in self.possible_agents}
        self._stream: Optional[SimulateStream] = None
        self._pending: Any = None
        self._next_seed = 0

    def observation_space(self, agent: str) -> Any:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> Any:
        return self.action_spaces[agent]

    def reset(self, seed: Optional[int] = None, options: Optional[dict] = None) -> None:
        """A new game: with a seed, exactly the engine's episode for that seed."""
        if seed is not None or self._pending is None:
            if self._stream is not None:
                self._stream.close()
            if seed is None:
                seed, self._next_seed = self._next_seed, self._next_seed + 1
            self._stream = self.client.simulate(self.env_id, 1, seeds=[seed], max_episode_steps=self.max_episode_steps)
            b = self._stream.first
            start = (b.obs[0].copy(), b.action_mask[0].copy(), int(b.current_player[0]))
        else:
            start = self._pending
        self._pending = None
        self._obs, self._mask, player = start
        self.agents = list(self.possible_agents)
        self.agent_selection = self.possible_agents[player]
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos: dict = {a: {} for a in self.agents}

    def observe(self, agent: str) -> dict:
        """The current observation (the mover's view); the mask is all zeros for an agent not to move."""
        mask = self._mask.astype(np.int8) if agent == self.agent_selection and not self._over(agent) else np.zeros(self.game.num_actions, dtype=np.int8)
        return {"observation": self._obs.copy(), "action_mask": mask}

    def _over(self, agent: str) -> bool:
        return self.terminations[agent] or self.truncations[agent]

    def last(self, observe: bool = True) -> tuple:
        a = self.agent_selection
        return (self.observe(a) if observe else None, self._cumulative_rewards[a], self.terminations[a], self.truncations[a], self.infos[a])

    def agent_iter(self, max_iter: int = 2**63) -> Iterator[str]:
        for _ in range(max_iter):
            if not self.agents:
                return
            yield self.agent_selection

    def step(self, action: Optional[int]) -> None:
        agent = self.agent_selection
        if self._over(agent):
            if action is not None:
                raise ValueError(f"{agent} is done: step it with None")
            self.agents.remove(agent)
            del self._cumulative_rewards[agent]
            if self.agents:
                self.agent_selection = self.agents[0]
            return
        assert self._stream is not None, "call reset() first"
        self._cumulative_rewards[agent] = 0.0
        b = self._stream.step(np.asarray([action]))
        for i, a in enumerate(self.possible_agents):
            self.rewards[a] = float(b.rewards[0, i])
            self._cumulative_rewards[a] += self.rewards[a]
        if b.terminated[0] or b.truncated[0]:
            # Same-step auto-reset: keep the next game's start for reset(); show the final board.
            self._pending = (b.obs[0].copy(), b.action_mask[0].copy(), int(b.current_player[0]))
            self._obs = b.final_obs[0].copy()
            self._mask = np.zeros(self.game.num_actions, dtype=np.bool_)
            for a in self.agents:
                self.terminations[a] = bool(b.terminated[0])
                self.truncations[a] = bool(b.truncated[0])
            # Dead steps start with the agent after the mover, as turns would.
            nxt = (self.possible_agents.index(agent) + 1) % len(self.possible_agents)
            self.agent_selection = self.possible_agents[nxt]
            return
        self._obs = b.obs[0].copy()
        self._mask = b.action_mask[0].copy()
        self.agent_selection = self.possible_agents[int(b.current_player[0])]

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._own_client:
            self.client.close()
