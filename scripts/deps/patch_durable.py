"""Build-time patches to durable-rules 2.0.28's C source (scripts/setup.sh runs this).

    python scripts/deps/patch_durable.py <durable_rules-2.0.28/src>

Each patch replaces an exact text and must match the expected number of times; otherwise the
source is not the one these patches were written for and setup stops (exit 1).

1. PyEval_CallObject, removed in CPython 3.13, becomes PyObject_CallObject (the documented
   replacement, same arguments; also in 3.11 and 3.12).
2. Session memory sized for Arrangeur's checks (one session of a few dozen facts): each join
   node's frame hash index 512 -> 16 buckets and its first frame pools 8 -> 4 nodes. The
   indexes chain on collision and the pools grow on demand, so only size changes: a session
   state goes from 2-4 MiB to well under 1 MiB and is built ~3x faster (docs/performance.md,
   "durable's session memory").
3. A completed action forgets its facts. durable deletes the frame of a completed action but
   removed its location only from the messages it consumes (events), not from facts. A fact
   then kept a location pointing at a freed frame, and retracting that fact later (Arrangeur
   retracts a check's facts to keep the session warm) followed it: deleteMessageFromFrame then
   read and wrote past the frame's 16 slots, or deleted a reused frame. Valgrind showed the
   invalid reads; the heap corruption crashed the test suite in deleteStateNode. The fix
   removes the fact's location as handleDeleteMessage does for the frame's other messages.
4. A new session state starts without an action context. createStateNode left the context's
   two pointers (the started action's messages and state fact) as malloc left them, and
   deleteState frees them: a state in which no action ever started (facts that fire nothing)
   freed garbage (valgrind: uninitialised values in deleteStateNode; "free(): invalid
   pointer"). They start as NULL, as freeActionContext leaves them.
5. An action's message names the rule only: `{"<rule>":{}}`. durable copied every fact the
   rule matched into it, as JSON, for its Python host; Arrangeur drives the C engine itself and
   reads only the name (engine/runtime.py `_act`). With a check's inputs in one durable fact
   that was about 700 bytes per action and ~50 actions per check: 3.5 % of a check (a
   fine-interleaved A/B, with and without explanations). Nothing else of durable changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

_COMPLETED_EVENT = """\
                    CHECK_RESULT(handleDeleteMessage(tree,
                                                     state,
                                                     mid, 
                                                     currentMessageFrame->messageNodeOffset));
                }
            }
        }

        resultFrameOffset = resultFrame->nextOffset;"""

_COMPLETED_FACT_TOO = """\
                    CHECK_RESULT(handleDeleteMessage(tree,
                                                     state,
                                                     mid, 
                                                     currentMessageFrame->messageNodeOffset));
                } else {
                    // Arrangeur patch 3: a fact forgets the completed action's frame
                    CHECK_RESULT(deleteFrameLocation(state,
                                                     currentMessageFrame->messageNodeOffset,
                                                     resultLocation));
                }
            }
        }

        resultFrameOffset = resultFrame->nextOffset;"""

_NEW_STATE = """\
    node->factOffset = UNDEFINED_HASH_OFFSET;
    node->lockExpireTime = 0;
    *state = node;"""

_NEW_STATE_NO_CONTEXT = """\
    node->factOffset = UNDEFINED_HASH_OFFSET;
    node->lockExpireTime = 0;
    // Arrangeur patch 4: no action started yet, nothing for deleteState to free
    node->context.messages = NULL;
    node->context.stateFact = NULL;
    *state = node;"""

_RESULT_FRAME_LENGTH = """\
    unsigned int resultLength = 2;
    for (int i = 0; i < frame->messageCount; ++i) {
        messageFrame *currentFrame = &frame->messages[frame->reverseIndex[i]]; 
        messageNode *currentNode = MESSAGE_NODE(state, currentFrame->messageNodeOffset);
        char *name = &tree->stringPool[currentFrame->nameOffset];
        char *value = currentNode->jo.content;
        if (i < (frame->messageCount -1)) {
            resultLength += strlen(name) + strlen(value) + 4;
        } else {
            resultLength += strlen(name) + strlen(value) + 3;
        }
    }

    return resultLength;"""

_RESULT_FRAME_EMPTY_LENGTH = """\
    // Arrangeur patch 5: the frame is serialised as {} (its facts are not read)
    return 2;"""

_RESULT_FRAME_FACTS = """\
    first[0] = '{'; 
    ++first;
    for (int i = 0; i < frame->messageCount; ++i) {"""

_RESULT_FRAME_NO_FACTS = """\
    first[0] = '{';
    ++first;
    // Arrangeur patch 5: no facts copied into the message
    for (int i = 0; i < 0; ++i) {"""

# (file, old, new, how often old occurs)
PATCHES: list[tuple[str, str, str, int]] = [
    ("rulespy/rules.c", "PyEval_CallObject(", "PyObject_CallObject(", 5),
    ("rules/state.h", "#define MAX_LEFT_FRAME_INDEX_LENGTH 512\n",
     "#define MAX_LEFT_FRAME_INDEX_LENGTH 16\n", 1),
    ("rules/state.h", "#define MAX_RIGHT_FRAME_INDEX_LENGTH 512\n",
     "#define MAX_RIGHT_FRAME_INDEX_LENGTH 16\n", 1),
    ("rules/state.c", "#define MAX_LEFT_FRAME_NODES 8\n", "#define MAX_LEFT_FRAME_NODES 4\n", 1),
    ("rules/state.c", "#define MAX_RIGHT_FRAME_NODES 8\n", "#define MAX_RIGHT_FRAME_NODES 4\n", 1),
    ("rules/events.c", _COMPLETED_EVENT, _COMPLETED_FACT_TOO, 1),
    ("rules/state.c", _NEW_STATE, _NEW_STATE_NO_CONTEXT, 1),
    ("rules/state.c", _RESULT_FRAME_LENGTH, _RESULT_FRAME_EMPTY_LENGTH, 1),
    ("rules/state.c", _RESULT_FRAME_FACTS, _RESULT_FRAME_NO_FACTS, 1),
]  # fmt: skip


def main(src: Path) -> int:
    texts: dict[str, str] = {}
    for name, old, new, times in PATCHES:
        text = texts.setdefault(name, (src / name).read_text(encoding="utf-8"))
        found = text.count(old)
        if found != times:
            print(
                f"setup: durable-rules' {name} is not the source these patches expect "
                f"({found} times instead of {times}: {old.strip().splitlines()[0]!r})",
                file=sys.stderr,
            )
            return 1
        texts[name] = text.replace(old, new)
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("gebruik: patch_durable.py <durable_rules-2.0.28/src>", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
