from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActionList(_message.Message):
    __slots__ = ["actions"]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, actions: _Optional[_Iterable[bytes]] = ...) -> None: ...

class ActionLists(_message.Message):
    __slots__ = ["lists"]
    LISTS_FIELD_NUMBER: _ClassVar[int]
    lists: _containers.RepeatedCompositeFieldContainer[ActionList]
    def __init__(self, lists: _Optional[_Iterable[_Union[ActionList, _Mapping]]] = ...) -> None: ...

class BatchSimulateRequest(_message.Message):
    __slots__ = ["actions", "auto_reset", "chunk_size", "hint", "id", "include_state", "max_steps", "num_envs", "output", "random", "seed"]
    class Output(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    AUTO_RESET_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    HINT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_STATE_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    NUM_ENVS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_EPISODES: BatchSimulateRequest.Output
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TRANSITIONS: BatchSimulateRequest.Output
    RANDOM_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    actions: ActionLists
    auto_reset: bool
    chunk_size: int
    hint: bytes
    id: EngineId
    include_state: bool
    max_steps: int
    num_envs: int
    output: BatchSimulateRequest.Output
    random: RandomPolicy
    seed: int
    def __init__(self, id: _Optional[_Union[EngineId, _Mapping]] = ..., seed: _Optional[int] = ..., num_envs: _Optional[int] = ..., max_steps: _Optional[int] = ..., random: _Optional[_Union[RandomPolicy, _Mapping]] = ..., actions: _Optional[_Union[ActionLists, _Mapping]] = ..., output: _Optional[_Union[BatchSimulateRequest.Output, str]] = ..., auto_reset: bool = ..., chunk_size: _Optional[int] = ..., include_state: bool = ..., hint: _Optional[bytes] = ...) -> None: ...

class BoxSpace(_message.Message):
    __slots__ = ["high", "low", "shape"]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    high: _containers.RepeatedScalarFieldContainer[float]
    low: _containers.RepeatedScalarFieldContainer[float]
    shape: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, shape: _Optional[_Iterable[int]] = ..., low: _Optional[_Iterable[float]] = ..., high: _Optional[_Iterable[float]] = ...) -> None: ...

class Capabilities(_message.Message):
    __slots__ = ["box", "description", "discrete", "encoding", "id", "max_episode_steps", "max_horizon", "multi_discrete", "num_players", "obs_bytes", "observation", "preferred_batch", "reward"]
    BOX_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DISCRETE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MAX_EPISODE_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_HORIZON_FIELD_NUMBER: _ClassVar[int]
    MULTI_DISCRETE_FIELD_NUMBER: _ClassVar[int]
    NUM_PLAYERS_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    OBS_BYTES_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_BATCH_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    box: BoxSpace
    description: str
    discrete: DiscreteSpace
    encoding: Encoding
    id: EngineId
    max_episode_steps: int
    max_horizon: int
    multi_discrete: MultiDiscreteSpace
    num_players: int
    obs_bytes: int
    observation: ObservationSpec
    preferred_batch: int
    reward: RewardSpec
    def __init__(self, id: _Optional[_Union[EngineId, _Mapping]] = ..., encoding: _Optional[_Union[Encoding, _Mapping]] = ..., max_horizon: _Optional[int] = ..., discrete: _Optional[_Union[DiscreteSpace, _Mapping]] = ..., multi_discrete: _Optional[_Union[MultiDiscreteSpace, _Mapping]] = ..., box: _Optional[_Union[BoxSpace, _Mapping]] = ..., preferred_batch: _Optional[int] = ..., obs_bytes: _Optional[int] = ..., description: _Optional[str] = ..., observation: _Optional[_Union[ObservationSpec, _Mapping]] = ..., num_players: _Optional[int] = ..., reward: _Optional[_Union[RewardSpec, _Mapping]] = ..., max_episode_steps: _Optional[int] = ...) -> None: ...

class DiscreteSpace(_message.Message):
    __slots__ = ["n"]
    N_FIELD_NUMBER: _ClassVar[int]
    n: int
    def __init__(self, n: _Optional[int] = ...) -> None: ...

class Encoding(_message.Message):
    __slots__ = ["action", "obs", "schema_version", "state"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    OBS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    action: str
    obs: str
    schema_version: int
    state: str
    def __init__(self, state: _Optional[str] = ..., action: _Optional[str] = ..., obs: _Optional[str] = ..., schema_version: _Optional[int] = ...) -> None: ...

class EngineId(_message.Message):
    __slots__ = ["build_id", "env_id"]
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    ENV_ID_FIELD_NUMBER: _ClassVar[int]
    build_id: str
    env_id: str
    def __init__(self, env_id: _Optional[str] = ..., build_id: _Optional[str] = ...) -> None: ...

class EpisodeSummary(_message.Message):
    __slots__ = ["env_index", "episode", "final_obs", "finished", "steps", "total_reward"]
    ENV_INDEX_FIELD_NUMBER: _ClassVar[int]
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    FINAL_OBS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_REWARD_FIELD_NUMBER: _ClassVar[int]
    env_index: int
    episode: int
    final_obs: bytes
    finished: bool
    steps: int
    total_reward: float
    def __init__(self, env_index: _Optional[int] = ..., episode: _Optional[int] = ..., steps: _Optional[int] = ..., total_reward: _Optional[float] = ..., finished: bool = ..., final_obs: _Optional[bytes] = ...) -> None: ...

class ListGamesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListGamesResponse(_message.Message):
    __slots__ = ["games"]
    GAMES_FIELD_NUMBER: _ClassVar[int]
    games: _containers.RepeatedCompositeFieldContainer[Capabilities]
    def __init__(self, games: _Optional[_Iterable[_Union[Capabilities, _Mapping]]] = ...) -> None: ...

class MultiDiscreteSpace(_message.Message):
    __slots__ = ["nvec"]
    NVEC_FIELD_NUMBER: _ClassVar[int]
    nvec: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, nvec: _Optional[_Iterable[int]] = ...) -> None: ...

class ObservationSlice(_message.Message):
    __slots__ = ["description", "length", "name", "start"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    description: str
    length: int
    name: str
    start: int
    def __init__(self, name: _Optional[str] = ..., start: _Optional[int] = ..., length: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...

class ObservationSpec(_message.Message):
    __slots__ = ["dtype", "high", "low", "shape", "slices"]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    SLICES_FIELD_NUMBER: _ClassVar[int]
    dtype: str
    high: _containers.RepeatedScalarFieldContainer[float]
    low: _containers.RepeatedScalarFieldContainer[float]
    shape: _containers.RepeatedScalarFieldContainer[int]
    slices: _containers.RepeatedCompositeFieldContainer[ObservationSlice]
    def __init__(self, dtype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., low: _Optional[_Iterable[float]] = ..., high: _Optional[_Iterable[float]] = ..., slices: _Optional[_Iterable[_Union[ObservationSlice, _Mapping]]] = ...) -> None: ...

class RandomPolicy(_message.Message):
    __slots__ = ["seed"]
    SEED_FIELD_NUMBER: _ClassVar[int]
    seed: int
    def __init__(self, seed: _Optional[int] = ...) -> None: ...

class ResetRequest(_message.Message):
    __slots__ = ["hint", "id", "seed"]
    HINT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    hint: bytes
    id: EngineId
    seed: int
    def __init__(self, id: _Optional[_Union[EngineId, _Mapping]] = ..., seed: _Optional[int] = ..., hint: _Optional[bytes] = ...) -> None: ...

class ResetResponse(_message.Message):
    __slots__ = ["obs", "state"]
    OBS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    obs: bytes
    state: bytes
    def __init__(self, state: _Optional[bytes] = ..., obs: _Optional[bytes] = ...) -> None: ...

class RewardSpec(_message.Message):
    __slots__ = ["description", "high", "low", "zero_sum"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    ZERO_SUM_FIELD_NUMBER: _ClassVar[int]
    description: str
    high: float
    low: float
    zero_sum: bool
    def __init__(self, low: _Optional[float] = ..., high: _Optional[float] = ..., zero_sum: bool = ..., description: _Optional[str] = ...) -> None: ...

class SimResultChunk(_message.Message):
    __slots__ = ["episodes", "last", "steps_so_far", "transitions"]
    EPISODES_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    STEPS_SO_FAR_FIELD_NUMBER: _ClassVar[int]
    TRANSITIONS_FIELD_NUMBER: _ClassVar[int]
    episodes: _containers.RepeatedCompositeFieldContainer[EpisodeSummary]
    last: bool
    steps_so_far: int
    transitions: _containers.RepeatedCompositeFieldContainer[Transition]
    def __init__(self, transitions: _Optional[_Iterable[_Union[Transition, _Mapping]]] = ..., episodes: _Optional[_Iterable[_Union[EpisodeSummary, _Mapping]]] = ..., steps_so_far: _Optional[int] = ..., last: bool = ...) -> None: ...

class SimulateOpen(_message.Message):
    __slots__ = ["hint", "id", "include_state", "max_episode_steps", "num_envs", "seed", "seeds"]
    HINT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_STATE_FIELD_NUMBER: _ClassVar[int]
    MAX_EPISODE_STEPS_FIELD_NUMBER: _ClassVar[int]
    NUM_ENVS_FIELD_NUMBER: _ClassVar[int]
    SEEDS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    hint: bytes
    id: EngineId
    include_state: bool
    max_episode_steps: int
    num_envs: int
    seed: int
    seeds: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[_Union[EngineId, _Mapping]] = ..., num_envs: _Optional[int] = ..., seed: _Optional[int] = ..., seeds: _Optional[_Iterable[int]] = ..., max_episode_steps: _Optional[int] = ..., include_state: bool = ..., hint: _Optional[bytes] = ...) -> None: ...

class SimulateRequest(_message.Message):
    __slots__ = ["open", "step"]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    open: SimulateOpen
    step: SimulateStep
    def __init__(self, open: _Optional[_Union[SimulateOpen, _Mapping]] = ..., step: _Optional[_Union[SimulateStep, _Mapping]] = ...) -> None: ...

class SimulateResponse(_message.Message):
    __slots__ = ["action_mask", "current_player", "env_indices", "episodes", "error", "error_code", "final_obs", "obs", "reset_seeds", "rewards", "states", "terminated", "truncated"]
    ACTION_MASK_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PLAYER_FIELD_NUMBER: _ClassVar[int]
    ENV_INDICES_FIELD_NUMBER: _ClassVar[int]
    EPISODES_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FINAL_OBS_FIELD_NUMBER: _ClassVar[int]
    OBS_FIELD_NUMBER: _ClassVar[int]
    RESET_SEEDS_FIELD_NUMBER: _ClassVar[int]
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    TERMINATED_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    action_mask: bytes
    current_player: bytes
    env_indices: _containers.RepeatedScalarFieldContainer[int]
    episodes: bytes
    error: str
    error_code: str
    final_obs: bytes
    obs: bytes
    reset_seeds: _containers.RepeatedScalarFieldContainer[int]
    rewards: bytes
    states: _containers.RepeatedScalarFieldContainer[bytes]
    terminated: bytes
    truncated: bytes
    def __init__(self, env_indices: _Optional[_Iterable[int]] = ..., obs: _Optional[bytes] = ..., rewards: _Optional[bytes] = ..., terminated: _Optional[bytes] = ..., truncated: _Optional[bytes] = ..., action_mask: _Optional[bytes] = ..., current_player: _Optional[bytes] = ..., final_obs: _Optional[bytes] = ..., reset_seeds: _Optional[_Iterable[int]] = ..., states: _Optional[_Iterable[bytes]] = ..., episodes: _Optional[bytes] = ..., error: _Optional[str] = ..., error_code: _Optional[str] = ...) -> None: ...

class SimulateStep(_message.Message):
    __slots__ = ["actions", "env_indices"]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    ENV_INDICES_FIELD_NUMBER: _ClassVar[int]
    actions: bytes
    env_indices: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, actions: _Optional[bytes] = ..., env_indices: _Optional[_Iterable[int]] = ...) -> None: ...

class StepRequest(_message.Message):
    __slots__ = ["action", "id", "state"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    action: bytes
    id: EngineId
    state: bytes
    def __init__(self, id: _Optional[_Union[EngineId, _Mapping]] = ..., state: _Optional[bytes] = ..., action: _Optional[bytes] = ...) -> None: ...

class StepResponse(_message.Message):
    __slots__ = ["done", "obs", "reward", "state"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    OBS_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    done: bool
    obs: bytes
    reward: float
    state: bytes
    def __init__(self, state: _Optional[bytes] = ..., obs: _Optional[bytes] = ..., reward: _Optional[float] = ..., done: bool = ...) -> None: ...

class Transition(_message.Message):
    __slots__ = ["action", "done", "env_index", "episode", "obs", "reward", "state", "step"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    ENV_INDEX_FIELD_NUMBER: _ClassVar[int]
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    OBS_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    action: bytes
    done: bool
    env_index: int
    episode: int
    obs: bytes
    reward: float
    state: bytes
    step: int
    def __init__(self, env_index: _Optional[int] = ..., episode: _Optional[int] = ..., step: _Optional[int] = ..., action: _Optional[bytes] = ..., obs: _Optional[bytes] = ..., reward: _Optional[float] = ..., done: bool = ..., state: _Optional[bytes] = ...) -> None: ...
