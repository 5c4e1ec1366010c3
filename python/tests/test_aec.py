"""The AEC wrapper plays full TicTacToe games with PettingZoo's agent loop."""
import numpy as np
import pytest

from control_room_engine import AECEnv


def test_scripted_game_rewards_and_dead_steps(client):
    env = AECEnv("tictactoe", client=client)
    try:
        env.reset(seed=0)
        assert env.agent_selection == "player_0"
        for a in (0, 3, 1, 4, 2):
            env.step(a)
        assert env.terminations == {"player_0": True, "player_1": True}
        assert env.rewards == {"player_0": 1.0, "player_1": -1.0}
        order = []
        for agent in env.agent_iter():
            _, reward, term, _, _ = env.last()
            order.append((agent, reward, term))
            env.step(None)
        assert sorted(order) == [("player_0", 1.0, True), ("player_1", -1.0, True)]
        assert env.agents == []
    finally:
        env.close()


def test_random_games_are_zero_sum_and_masks_are_honoured(client):
    env = AECEnv("tictactoe", client=client)
    rng = np.random.default_rng(7)
    try:
        for game in range(5):
            env.reset(seed=None if game else 1)
            totals = {a: 0.0 for a in env.possible_agents}
            for agent in env.agent_iter(max_iter=40):
                obs, reward, term, trunc, _ = env.last()
                totals[agent] += reward
                if term or trunc:
                    env.step(None)
                    continue
                legal = np.flatnonzero(obs["action_mask"])
                assert env.observe([a for a in env.possible_agents if a != agent][0])["action_mask"].sum() == 0
                env.step(int(rng.choice(legal)))
            assert sum(totals.values()) == 0
            assert env.agents == []
    finally:
        env.close()


def test_single_player_games_are_refused(client):
    with pytest.raises(ValueError):
        AECEnv("2048", client=client)
