"""Python client of the Factorio Control Room engine (engine.v1 over gRPC).

    from control_room_engine import VectorEnv
    envs = VectorEnv("tictactoe", 1024, address="127.0.0.1:50051")
    obs, infos = envs.reset(seed=0)

See the repository README, "Engine server", for the wire semantics.
"""
from ._compat import HAVE_GYMNASIUM, HAVE_PETTINGZOO, AutoresetMode
from .aec import AECEnv
from .client import Batch, EngineClient, EngineError, GameSpec, SimulateStream
from .vector import Env, VectorEnv

__all__ = ["AECEnv", "AutoresetMode", "Batch", "EngineClient", "EngineError", "Env", "GameSpec", "HAVE_GYMNASIUM", "HAVE_PETTINGZOO", "SimulateStream", "VectorEnv"]
