"""``--extractor offline``: a LOW-FIDELITY fallback that needs no API key.

It does not understand conversations. It maps the assistant's sentences onto *known* taxonomy
values by embedding similarity, adds values signalled by cue phrases, picks up human values only
from explicit statements ("honesty is important to me"), and guesses the response type from
cue phrases. Its output is labelled low fidelity wherever it goes: the records' ``source`` says
``offline-low-fidelity``, and the command line says so on every run. Use it to try the pipeline,
for demos and tests; use Claude for anything you want to conclude from.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from valuegraph.domain import ResponseType
from valuegraph.errors import ExtractionError
from valuegraph.ingest.conversations import Conversation, Role
from valuegraph.ingest.embed import Embedder
from valuegraph.ingest.extract import DiskCache, Extracted, Failed, Outcome, cache_key
from valuegraph.ingest.prompts import ExtractionOutput, ValueMention
from valuegraph.keys import normalise_key

LABEL = "offline-low-fidelity"
OFFLINE_VERSION = "offline-v1"  # part of the cache key: change it when the method changes
FIDELITY_WARNING = (
    "offline extraction is a LOW-FIDELITY fallback (embedding similarity and cue phrases, "
    "no model): use it to try the pipeline, not to draw conclusions"
)

# The most frequent AI values of the released taxonomy (Huang et al., 2025, CC-BY-4.0), plus the
# paper's context-dependent examples: the vocabulary used when the graph holds no values yet.
KNOWN_VALUES: tuple[str, ...] = (
    "helpfulness", "professionalism", "transparency", "clarity", "thoroughness", "efficiency",
    "technical excellence", "authenticity", "analytical rigor", "accuracy", "technical competence",
    "adaptability", "intellectual honesty", "accessibility", "pragmatism", "precision",
    "academic rigor", "service orientation", "responsibility", "intellectual rigor",
    "clear communication", "technical precision", "objectivity", "user experience", "empathy",
    "honesty", "practical utility", "user autonomy", "practicality", "accountability",
    "systematic organization", "inclusivity", "educational clarity", "reliability",
    "academic integrity", "cultural sensitivity", "collaboration", "harm prevention",
    "personal growth", "attention to detail", "educational value", "fairness",
    "professional competence", "emotional authenticity", "organization", "effectiveness",
    "code quality", "safety", "ethical boundaries", "educational excellence",
    "balanced perspective", "user empowerment", "professional responsibility",
    "epistemic humility", "professional boundaries", "healthy boundaries", "mutual respect",
    "historical accuracy", "human agency", "constructive engagement", "creativity",
    "artistic expression", "privacy", "patient wellbeing", "emotional support", "respect",
)  # fmt: skip

# Cue phrases that signal a value in the assistant's text, whatever the embedding says.
VALUE_CUES: dict[str, str] = {
    "honesty": r"\bhonest(?:ly|y)?\b|\bto be (?:frank|candid)\b",
    "transparency": (
        r"\btranspar|\bI (?:should|want to) (?:note|mention|be clear)\b|\bI can't verify\b"
    ),
    "epistemic humility": (
        r"\bI(?:'m| am) not (?:sure|certain)\b|\bI (?:might|may|could) be wrong\b|\buncertain"
    ),
    "harm prevention": r"\bI (?:can't|cannot|won't|will not) help\b|\bdanger|\bharm(?:ful)?\b",
    "safety": r"\bsafe(?:ty|ly)?\b|\bcall (?:911|999|112|emergency)",
    "ethical boundaries": r"\bethic|\bnot comfortable\b|\bcross(?:es)? a line\b",
    "user autonomy": (
        r"\bup to you\b|\byour (?:decision|choice|call)\b|\bultimately,? (?:it's )?you\b"
    ),
    "healthy boundaries": r"\bboundar(?:y|ies)\b",
    "mutual respect": r"\brespect(?:ful|ing)?\b",
    "empathy": (
        r"\bthat sounds (?:hard|difficult|painful|stressful|frustrating)"
        r"|\bI'm (?:so )?sorry\b|\bunderstandabl"
    ),
    "historical accuracy": r"\bhistorians?\b|\bprimary sources?\b|\bhistorical record\b",
    "balanced perspective": r"\bon the other hand\b|\bboth sides\b|\bperspectives\b",
    "accuracy": r"\baccura(?:te|cy)\b|\bfact-check",
    "code quality": r"\breadab(?:le|ility)\b|\bmaintainab|\bclean code\b|\brefactor",
    "technical excellence": r"\bbest practices?\b|\bedge cases?\b|\btime complexity\b",
    "professional boundaries": (
        r"\b(?:consult|see|talk to|speak with) (?:a|an|your) "
        r"(?:doctor|lawyer|therapist|professional|accountant|counsel+or)"
    ),
    "educational value": r"\bstep by step\b|\blet me explain\b|\bthe reason is\b",
    "creativity": r"\bimagin|\bcreative|\bvivid|\bmetaphor",
    "privacy": r"\bprivacy\b|\bprivate\b|\bpersonal data\b",
    "fairness": r"\bfair(?:ness|ly)?\b|\bequitabl",
    "cultural sensitivity": r"\bcultur(?:e|al)",
    "academic integrity": r"\bplagiari|\bcite (?:your )?sources\b|\bacademic integrity\b",
    "accountability": r"\btake responsibility\b|\baccountab",
    "personal growth": r"\bgrowth\b|\blearn from\b",
    "human agency": r"\bhuman (?:agency|judgment|judgement|oversight|control)\b",
}

# Response-type cues, strongest first; the first family that matches wins.
RESPONSE_CUES: tuple[tuple[ResponseType, str], ...] = (
    (
        ResponseType.STRONG_RESISTANCE,
        r"\bI (?:can't|cannot|won't|will not|am not able to|must decline to) "
        r"(?:help|assist|write|provide|do that)\b|\bI'm not going to\b",
    ),
    (
        ResponseType.MILD_RESISTANCE,
        r"\bI'd (?:gently )?(?:caution|push back|encourage you to reconsider)\b"
        r"|\bI (?:have|share) some concerns?\b|\bI'd be careful\b|\bbefore you do\b",
    ),
    (
        ResponseType.REFRAMING,
        r"\banother way to (?:look at|think about|see)\b|\breframe\b"
        r"|\binstead of (?:thinking|seeing|asking)\b|\bwhat if\b",
    ),
    (
        ResponseType.STRONG_SUPPORT,
        r"\b(?:absolutely|great idea|wonderful|you're (?:absolutely )?right"
        r"|I (?:completely|fully) agree|love (?:this|that))\b",
    ),
    (
        ResponseType.MILD_SUPPORT,
        r"\b(?:that's (?:reasonable|a good|fair)|makes sense|good (?:start|instinct|question)"
        r"|happy to help|sounds like a good)\b",
    ),
)

# Explicit statements of a user's values: "X is important to me", "I value X", "I care about X".
HUMAN_VALUE_PATTERNS: tuple[str, ...] = (
    r"\bI (?:really |truly |deeply )?(?:value|care (?:a lot )?about|believe in|prioriti[sz]e) "
    r"(?:my |our |the )?([a-z][a-z' -]{2,40}?)(?=[.,;!?]| and | but | so |$)",
    r"\b(?:my |our )?([a-z][a-z' -]{2,40}?) (?:is|are|matters?) (?:really |very |so |most )?"
    r"(?:important|everything|what matters) to (?:me|us)\b",
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STOP_PREFIX = re.compile(r"^(?:the|a|an|my|our|being|to be|having)\s+")


class OfflineExtractor:
    """Embedding-and-cue extraction onto known values. LOW FIDELITY: see the module docstring."""

    fidelity = "low"
    label = LABEL

    def __init__(
        self,
        embedder: Embedder,
        known_values: Sequence[str] = KNOWN_VALUES,
        *,
        threshold: float = 0.35,
        max_values: int = 5,
        cache_dir: Path | None = None,
    ) -> None:
        names = list(dict.fromkeys(n.strip() for n in known_values if n.strip()))
        self.embedder = embedder
        # Outputs are cached like Claude's, keyed by everything that shapes them, so a re-run
        # is instant and gives the same records.
        self.cache = DiskCache(cache_dir) if cache_dir is not None else None
        self._settings = cache_key(
            OFFLINE_VERSION, embedder.name, f"{threshold}/{max_values}", *names
        )
        self.values = names
        self.value_vectors = embedder.encode(names)
        self.threshold = threshold
        self.max_values = max_values
        self._cues = {v: re.compile(p, re.I) for v, p in VALUE_CUES.items()}
        self._response = [(t, re.compile(p, re.I)) for t, p in RESPONSE_CUES]
        self._human = [re.compile(p, re.I) for p in HUMAN_VALUE_PATTERNS]

    def __call__(self, conversation: Conversation) -> ExtractionOutput:
        result = self.extract_chunk([conversation])[0]
        if isinstance(result, ExtractionError):
            raise result
        return result

    def extract_many(
        self, conversations: Iterable[Conversation], *, chunk: int = 64
    ) -> Iterator[Outcome]:
        """Outcomes chunk by chunk: one embedding call per chunk is 5-10x faster than per item."""
        source = iter(conversations)
        while batch := list(itertools.islice(source, chunk)):
            for conversation, result in zip(batch, self.extract_chunk(batch), strict=True):
                if isinstance(result, ExtractionError):
                    yield Failed(conversation, str(result))
                else:
                    yield Extracted(conversation, result)

    def extract_chunk(self, conversations: Sequence[Conversation]) -> list[Any]:
        """One output (or ExtractionError) per conversation, in order; cached ones not redone."""
        keys = [cache_key(self._settings, c.content_hash()) for c in conversations]
        results: list[Any] = [self._cached(key) for key in keys]
        todo = [i for i, result in enumerate(results) if result is None]
        for i, result in zip(todo, self._compute([conversations[i] for i in todo]), strict=True):
            results[i] = result
            if self.cache is not None and isinstance(result, ExtractionOutput):
                self.cache.put(keys[i], {"output": result.model_dump(mode="json")})
        return results

    def _cached(self, key: str) -> ExtractionOutput | None:
        found = self.cache.get(key) if self.cache is not None else None
        return ExtractionOutput.model_validate(found["output"]) if found else None

    def _compute(self, conversations: Sequence[Conversation]) -> list[Any]:
        if not conversations:
            return []
        texts = [c.text_of(Role.ASSISTANT) for c in conversations]
        sentences = [
            [s.strip() for s in _SENTENCE.split(t) if len(s.strip()) > 12][:60] for t in texts
        ]
        flat = [s for group in sentences for s in group]
        similarity = self.embedder.encode(flat) @ self.value_vectors.T if flat else None
        results: list[Any] = []
        start = 0
        for conversation, text, group in zip(conversations, texts, sentences, strict=True):
            scores = (
                similarity[start : start + len(group)].max(axis=0)
                if group and similarity is not None
                else None
            )
            start += len(group)
            results.append(self._one(conversation, text, scores))
        return results

    def _one(
        self, conversation: Conversation, assistant: str, scores: Any
    ) -> ExtractionOutput | ExtractionError:
        user = conversation.text_of(Role.USER)
        human_values = self.human_values(user)
        try:
            return ExtractionOutput(
                subjective=bool(human_values) or _looks_subjective(user),
                task=guess_task(user),
                ai_values=self.ai_values(assistant, scores),
                human_values=human_values,
                response_type=self.response_type(assistant, bool(human_values)),
            )
        except ValidationError as e:
            return ExtractionError(f"offline extraction produced an invalid record: {e}")

    def ai_values(self, text: str, scores: Any) -> list[ValueMention]:
        """Known values scored by their best-matching sentence, boosted by cue phrases."""
        if scores is None:
            return []
        cued = {v for v, cue in self._cues.items() if cue.search(text)}
        ranked = []
        for index, name in enumerate(self.values):
            score = float(scores[index]) + (0.25 if name in cued else 0.0)
            if score >= self.threshold:
                ranked.append((score, name))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
        if not ranked:  # the paper finds values in 98.6% of subjective conversations
            best = int(np.argmax(scores))
            ranked = [(float(scores[best]), self.values[best])]
        lowered = text.lower()
        return [
            ValueMention(name=name, explicit=name in lowered)
            for _, name in ranked[: self.max_values]
        ]

    def human_values(self, text: str) -> list[str]:
        """Only values the user states outright, mapped onto a known value when close."""
        phrases = []
        for pattern in self._human:
            for found in pattern.finditer(text):
                phrase = _STOP_PREFIX.sub("", normalise_key(found.group(1))).strip(" '-")
                if len(phrase) > 2 and len(phrase.split()) <= 4:
                    phrases.append(phrase)
        if not phrases:
            return []
        similarity = self.embedder.encode(phrases) @ self.value_vectors.T
        mapped = []
        for row, phrase in enumerate(phrases):
            best = int(np.argmax(similarity[row]))
            mapped.append(self.values[best] if similarity[row, best] >= 0.75 else phrase)
        return list(dict.fromkeys(mapped))

    def response_type(self, text: str, has_human_values: bool) -> ResponseType:
        for response_type, cue in self._response:
            if cue.search(text):
                return response_type
        return ResponseType.NEUTRAL if has_human_values else ResponseType.NO_VALUES


_SUBJECTIVE = re.compile(
    r"\b(?:should I|what do you think|advice|opinion|better|best way"
    r"|is it (?:ok|okay|wrong|fair|ethical)"
    r"|feel|worried|help me decide|recommend|would you|ethic|moral|right thing)\b",
    re.I,
)


def _looks_subjective(user_text: str) -> bool:
    return bool(_SUBJECTIVE.search(user_text))


def guess_task(user_text: str) -> str:
    """The user's opening request, cut to at most twelve words, placeholders removed."""
    first = _SENTENCE.split(user_text.strip(), maxsplit=1)[0] if user_text.strip() else ""
    words = re.sub(r"\[[A-Z_]+\]", "", first).split()[:12]
    task = " ".join(words).strip(" ,;:-") or "unspecified request"
    return task if len(task) >= 3 else "unspecified request"
