"""The case state machine: which action moves a case from which state to which.

One table, read by the transition service, the pages and the API, so the same
refusal reaches every door. Implements docs/architecture.md "One state machine".
"""

from zhixing.rules import Decision, Reason

STATES = {
    "filed": "已立案待查控",
    "inquiring": "网络查控中",
    "triaged": "已分流待分派",
    "dispatched": "团队办理中",
    "closed": "已结案",
}

# action -> (states it may start from, state it leads to, Chinese name)
ACTIONS = {
    "file": ((), "filed", "立案"),
    "inquire": (("filed",), "inquiring", "发起首次网络查控"),
    "triage": (("inquiring",), "triaged", "繁简分流"),
    "dispatch": (("triaged",), "dispatched", "分派团队与承办人"),
    "close": (("dispatched",), "closed", "结案"),
}

# 结案方式 (glossary). performed and settled count as "performed" in §13.
CLOSING_MODES = {
    "performed": "执行完毕",
    "terminated_round": "终结本次执行程序",
    "terminated": "终结执行",
    "withdrawn": "销案",
    "refused": "不予执行",
    "dismissed": "驳回申请",
}

OPEN_STATES = ("filed", "inquiring", "triaged", "dispatched")


def target_state(action: str) -> str:
    return ACTIONS[action][1]


def check_action(action: str, state: str) -> Decision:
    """May a case in `state` take `action`?"""
    sources, _, name = ACTIONS[action]
    if state in sources:
        return Decision.allow()
    return Decision.refuse(Reason(f"案件当前状态为“{STATES.get(state, state)}”，不能{name}", ""))
