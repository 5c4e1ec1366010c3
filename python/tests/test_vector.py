"""VectorEnv and Env: Gymnasium's API over Simulate, checked against unary Reset/Step replays."""
import numpy as np

from control_room_engine import AutoresetMode, Env, VectorEnv


def random_legal(rng, mask):
    """One random legal action per row of a bool mask."""
    r = rng.random(mask.shape) * mask
    return r.argmax(axis=1)


def test_reset_and_step_shapes_and_masks(client):
    envs = VectorEnv("tictactoe", 8, client=client)
    try:
        assert envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
        obs, infos = envs.reset(seed=3)
        assert obs.shape == (8, 27) and obs.dtype == np.float32
        assert infos["action_mask"].shape == (8, 9) and infos["action_mask"].all()
        assert infos["seed"].tolist() == list(range(3, 11))
        obs, rew, term, trunc, infos = envs.step(np.arange(8))
        assert rew.shape == (8,) and term.dtype == np.bool_ and trunc.dtype == np.bool_
        assert (infos["current_player"] == 1).all()
        assert (infos["action_mask"].sum(axis=1) == 8).all()
    finally:
        envs.close()


def test_same_step_autoreset_matches_unary_replay(client):
    """Every transition of env 0 equals what unary Step answers; an episode's end gives its last
    observation in final_obs and the next episode's first (seed from reset_seed) in obs."""
    rng = np.random.default_rng(1)
    envs = VectorEnv("2048", 4, client=client, max_episode_steps=25)
    try:
        obs, infos = envs.reset(seed=100)
        state, ref = client.reset("2048", 100)
        assert np.array_equal(obs[0], ref)
        ends = 0
        for _ in range(80):
            a = random_legal(rng, infos["action_mask"])
            obs, rew, term, trunc, infos = envs.step(a)
            state, ref, ref_r, ref_done = client.step("2048", state, int(a[0]))
            assert rew[0] == ref_r
            assert term[0] == ref_done
            if term[0] or trunc[0]:
                ends += 1
                assert infos["_final_obs"][0] and np.array_equal(infos["final_obs"][0], ref)
                state, ref = client.reset("2048", int(infos["reset_seed"][0]))
                assert int(infos["reset_seed"][0]) == 100 + ends * 2**32
            assert np.array_equal(obs[0], ref)
            assert infos["episode"][0] == ends
        assert ends >= 3  # 80 steps with a 25-step limit
    finally:
        envs.close()


def test_two_player_rewards_go_to_the_mover(client):
    envs = VectorEnv("tictactoe", 1, client=client)
    try:
        envs.reset(seed=0)
        for a in (0, 3, 1, 4):
            envs.step([a])
        _, rew, term, _, infos = envs.step([2])
        assert term[0] and rew[0] == 1.0
        assert infos["rewards"][0].tolist() == [1.0, -1.0]
    finally:
        envs.close()


def test_async_send_recv(client):
    envs = VectorEnv("tictactoe", 4, client=client)
    try:
        envs.reset(seed=0)
        envs.send(np.array([4, 4]), [0, 2])
        obs, rew, term, trunc, infos = envs.recv()
        assert infos["env_id"].tolist() == [0, 2] and obs.shape == (2, 27)
    finally:
        envs.close()


def test_single_env_episode_loop(client):
    env = Env("tictactoe", client=client)
    try:
        obs, info = env.reset(seed=5)
        assert info["action_mask"].all()
        steps = 0
        done = False
        rng = np.random.default_rng(0)
        while not done:
            a = int(rng.choice(np.flatnonzero(info["action_mask"])))
            obs, r, term, trunc, info = env.step(a)
            done = term or trunc
            steps += 1
        assert 5 <= steps <= 9
        # The last observation shows the final board (no legal moves left in it).
        assert obs[18:].sum() == 0
        obs, info = env.reset()
        assert obs[:18].sum() == 0 and info["episode"] == 1
    finally:
        env.close()
