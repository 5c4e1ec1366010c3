"""The low-level client against a real engine: specs, unary calls, Simulate."""
import numpy as np
import pytest

from control_room_engine import EngineError


def test_list_games_and_specs(client):
    games = {g.env_id: g for g in client.list_games()}
    assert sorted(games) == ["2048", "tictactoe"]
    ttt = games["tictactoe"]
    assert (ttt.num_players, ttt.num_actions, ttt.obs_shape, ttt.obs_dtype) == (2, 9, (27,), np.dtype("<f4"))
    assert ttt.slices["action_mask"] == slice(18, 27)
    assert (ttt.reward_low, ttt.reward_high, ttt.zero_sum) == (-1, 1, True)
    g = games["2048"]
    assert g.obs_high[:16].tolist() == [17.0] * 16 and g.obs_high[16:].tolist() == [1.0] * 4
    assert g.num_players == 1


def test_unary_reset_and_step(client):
    state, obs = client.reset("tictactoe", 1)
    assert obs.shape == (27,) and obs[18:].tolist() == [1.0] * 9
    state, obs, reward, done = client.step("tictactoe", state, 4)
    assert (reward, done) == (0.0, False)
    with pytest.raises(EngineError) as e:
        client.step("tictactoe", state, 4)
    assert e.value.code == "INVALID_ARGUMENT"


def test_simulate_first_observations_are_the_reset_ones(client):
    s = client.simulate("2048", 3, seeds=[11, 22, 33])
    try:
        for i, seed in enumerate([11, 22, 33]):
            _, obs = client.reset("2048", seed)
            assert np.array_equal(s.first.obs[i], obs)
            assert np.array_equal(s.first.action_mask[i], obs[16:] == 1)
        assert s.first.rewards.shape == (3, 1) and not s.first.terminated.any()
    finally:
        s.close()


def test_refused_step_keeps_the_stream(client):
    s = client.simulate("tictactoe", 2)
    try:
        s.step([0, 0])
        with pytest.raises(EngineError) as e:
            s.step([0, 1])
        assert e.value.code == "INVALID_ARGUMENT" and "environment 0: action 0 is illegal" in e.value.details
        b = s.step([1, 1])
        assert b.current_player.tolist() == [0, 0]
    finally:
        s.close()


def test_async_subsets_answer_in_order(client):
    s = client.simulate("tictactoe", 4)
    try:
        s.send([4, 4], env_indices=[3, 1])
        s.send([0], env_indices=[2])
        a = s.recv()
        b = s.recv()
        assert a.env_indices.tolist() == [3, 1] and a.current_player.tolist() == [1, 1]
        assert b.env_indices.tolist() == [2] and b.obs.shape == (1, 27)
    finally:
        s.close()


def test_unknown_game_is_not_found(client):
    with pytest.raises(EngineError) as e:
        client.spec("chess")
    assert e.value.code == "NOT_FOUND"
