"""Conformance of the new RPCs from Python (grpcio): ListGames agrees with GetCapabilities, and
Simulate's transitions are byte for byte what Reset/Step answer, the same on every stream."""
import numpy as np


def test_list_games_agrees_with_get_capabilities(client):
    for g in client.list_games():
        c = client.stub.GetCapabilities(client.spec(g.env_id).capabilities.id)
        assert c == g.capabilities


def test_simulate_equals_unary_step_for_every_env(client):
    rng = np.random.default_rng(3)
    n = 6
    s = client.simulate("tictactoe", n, seed=40, include_state=True)
    try:
        states = [client.reset("tictactoe", 40 + i)[0] for i in range(n)]
        mask = s.first.action_mask
        mover = s.first.current_player
        for _ in range(30):
            actions = (rng.random(mask.shape) * mask).argmax(axis=1)
            b = s.step(actions)
            d = 0
            for i in range(n):
                state, obs, reward, done = client.step("tictactoe", states[i], int(actions[i]))
                if done:
                    assert np.array_equal(b.final_obs[d], obs)
                    state, obs = client.reset("tictactoe", b.reset_seeds[d])
                    d += 1
                assert b.states[i] == state
                assert np.array_equal(b.obs[i], obs)
                # Step's reward is the mover's; the other player's is its negation (zero-sum).
                assert b.rewards[i, mover[i]] == reward and b.rewards[i, 1 - mover[i]] == -reward
                states[i] = state
            assert d == len(b.reset_seeds)
            mask = b.action_mask
            mover = b.current_player
    finally:
        s.close()


def test_two_streams_with_the_same_seeds_agree(client):
    a = client.simulate("2048", 16, seed=9)
    b = client.simulate("2048", 16, seed=9)
    try:
        assert a.first.obs.tobytes() == b.first.obs.tobytes()
        acts = np.argmax(a.first.action_mask, axis=1)
        x, y = a.step(acts), b.step(acts)
        assert x.obs.tobytes() == y.obs.tobytes() and x.rewards.tobytes() == y.rewards.tobytes()
    finally:
        a.close()
        b.close()
