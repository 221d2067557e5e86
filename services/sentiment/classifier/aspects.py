"""Aspect extraction (ru, en): what was praised or blamed, its polarity, span and clause.

Lexicon over lemmas (lexicon.py, matched by phrases.py): one-word triggers and phrases
(«не работает», «цвет не как на фото», "sent the wrong size"), longest first. Polarity:
1. a trigger in a question sentence is neutral («это не подделка?» asks, it neither
   blames nor praises);
2. a trigger's own polarity (брак −, «как на фото» +), flipped by a negator up to two
   tokens before it («не подделка» → +, «без брака» → +);
3. else the polar words of its clause (cut at commas and "но"/"but"), each flipped by a
   negator before it; else those of its sentence that stand in no other aspect's clause;
4. else the section's default (text under «Недостатки:» / cons is blamed, under
   «Достоинства:» / pros praised), else the caller's default.
A quoted adjective in a complaining review is a claim the item does not meet
(description_mismatch: «„водонепроницаемый“ чехол промок», "the "leak-proof" lid leaked").
A specific aspect in a clause drops the broader one it explains (lexicon.SUBSUMES); the
same aspect with the same polarity is reported once. `clause` is the trigger's clause in
the customer's words, widened to its neighbour when it is a lone noun.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from services.sentiment.classifier import lexicon
from services.sentiment.classifier.phrases import PhraseMatch, PhraseSet, compile_phrase
from services.sentiment.classifier.text_units import (
    LEADING_CONNECTORS,
    Segmented,
    Span,
    Token,
    lemma,
    normal,
    segment,
)
from shared.events import Aspect, Sentiment

__all__ = ["Reading", "extract_aspects", "lemma", "read_text", "sections"]

_POSITIVE = frozenset(normal(w) for w in lexicon.POSITIVE_WORDS)
_NEGATIVE = frozenset(normal(w) for w in lexicon.NEGATIVE_WORDS)
_NEGATORS = frozenset(normal(w) for w in lexicon.NEGATORS)
_NEGATION_NEUTRAL = frozenset(normal(w) for w in lexicon.NEGATION_NEUTRAL)
_NEGATION_BRIDGE = frozenset(normal(w) for w in lexicon.NEGATION_BRIDGE)
_QUALITY = frozenset(normal(w) for w in lexicon.QUALITY_WORDS)
_QUALITY_ADVERBS = frozenset(normal(w) for w in lexicon.QUALITY_ADVERBS)
_BUYER_VERBS = frozenset(normal(w) for w in lexicon.BUYER_VERBS)
_DELIBERATION = frozenset(normal(w) for w in lexicon.DELIBERATION_VERBS)
#: A clause about everything («всё отлично») judges no aspect in particular.
_EVERYTHING = frozenset("все всё everything all".split())
#: A quoted word or two: the customer citing the card («„водонепроницаемый“», "leak-proof").
_QUOTE = re.compile(r"[«\"“„]([^«»\"“”„]{2,40})[»\"”“]")
#: Quoted adjectives and participles are claims; a quoted noun is usually a name («Динопарк»).
_CLAIM_POS = frozenset({"ADJF", "ADJS", "PRTF", "PRTS"})
_CLAIM_EN = re.compile(r"(?:proof|resistant|free|cancell?ing|waterproof|leather|natural)$")
#: Colour stems whose «-оватый» is a tint, not a complaint («голубоватый», «сероватый»).
_TINTS = tuple(
    "голуб зелен сер роз желт красн син бел черн коричнев фиолет оранжев сиренев беж бирюз "
    "салат лилов".split()
)
#: What the card promised («обещали 12 часов тепла»): its words praise nothing.
_PROMISE = frozenset("обещать обещанный заявить заявленный заявлять promised claims".split())
_MEASURED_AGAINST = frozenset("чем как than as".split())
_SPEED = frozenset("быстро медленно медленнее быстрый долго fast quickly slow slower".split())
_CLAUSE_MAX = 160
_SECTION_HEAD = re.compile(
    r"(?im)^\s*(достоинства|преимущества|плюсы|pros|недостатки|минусы|cons|"
    r"комментари[йи]|отзыв|comments?|review)\s*:"
)
_NEGATIVE_HEADS = ("недостат", "минус", "cons")
_POSITIVE_HEADS = ("достоин", "преимущ", "плюс", "pros")


@lru_cache(maxsize=1)
def _aspect_phrases() -> PhraseSet:
    phrases = [
        compile_phrase(source, aspect, polarity, lexicon.MACROS)
        for aspect, entries in lexicon.ASPECT_PHRASES.items()
        for source, polarity in entries.items()
    ]
    phrases += [compile_phrase(s, "", 0, lexicon.MACROS) for s in lexicon.NON_ASPECT_PHRASES]
    return PhraseSet(phrases)


@lru_cache(maxsize=1)
def _cue_phrases() -> PhraseSet:
    return PhraseSet(
        compile_phrase(source, kind, polarity, lexicon.MACROS)
        for kind, entries in lexicon.CUE_PHRASES.items()
        for source, polarity in entries.items()
    )


def _is_negator(tok: Token) -> bool:
    return tok.word in _NEGATORS or tok.lemma in _NEGATORS or tok.word.endswith("n't")


def negated(tokens: Sequence[Token], i: int) -> bool:
    """A negator right before token `i`, or two before with an intensifier or a copula
    between («не очень удобно», «не было проблем», "not very good"), in its clause."""
    for j, bridged in ((i - 1, False), (i - 2, True)):
        if j < 0 or tokens[j].clause != tokens[i].clause or not _is_negator(tokens[j]):
            continue
        if j > 0 and tokens[j - 1].word == "who":
            continue  # "Who wouldn't love a blender this powerful?": praise, asked
        if not bridged or tokens[j + 1].word in _NEGATION_BRIDGE:
            return True
    return False


def denied_after(tokens: Sequence[Token], i: int) -> bool:
    """«высыпаний почти нет», «запаха никакого нет»: a word denied by a «нет» after it."""
    after = [t for t in tokens[i + 1 : i + 4] if t.clause == tokens[i].clause]
    if after and after[0].word == "нет":
        return True
    return len(after) >= 2 and after[0].word in _DENIAL_BRIDGE and after[1].word == "нет"


#: Aspects whose very mention names a fault (a smell, a noise, a defect): denied, praise.
_FAULTS_BY_NAME = frozenset({"smell_material", "noise", "defect", "leak", "shrinkage"})
#: Words between a noun and the «нет» that denies it («высыпаний почти нет»).
_DENIAL_BRIDGE = frozenset("почти практически совсем вообще никаких никакого никакой уже".split())


def _beside_deliberation(tokens: Sequence[Token], i: int) -> bool:
    """A speed adverb next to a verb of the buyer's search or doubt, in its clause."""
    return any(
        0 <= j < len(tokens)
        and tokens[j].clause == tokens[i].clause
        and tokens[j].lemma in _DELIBERATION
        for j in (i - 1, i + 1)
    )


def _word_polarity(tokens: Sequence[Token], i: int) -> int:
    tok = tokens[i]
    if tok.word in ("минус", "minus") and i + 1 < len(tokens) and tokens[i + 1].word.isdigit():
        return 0  # «в минус 25» is the weather, not a drawback
    if tok.word in lexicon.LIKE_WORDS:
        return 1 if i > 0 and tokens[i - 1].word in lexicon.LIKE_SUBJECTS else 0
    if tok.word in _SPEED and _beside_deliberation(tokens, i):
        return 0  # «Долго искал льняную рубашку»: the buyer's search, not a complaint
    if tok.lemma in _POSITIVE or tok.word in _POSITIVE:
        return 1
    if tok.lemma in _NEGATIVE or tok.word in _NEGATIVE:
        return -1
    if tok.lemma.endswith("оватый") and not tok.lemma.startswith(_TINTS):
        return -1  # «резковат», «туговата»: the mild complaint; «голубоватый» is a tint
    return 0


@dataclass(frozen=True)
class Hit:
    """One aspect trigger found in the text, before polarity is resolved."""

    aspect: str
    inherent: int
    first: int
    last: int
    #: Token indices of the matched words (the gaps between them excluded).
    indices: tuple[int, ...] = ()
    #: A fault the buyer feared (`_feared_faults`): +1 it did not come, -1 it came, 0 the
    #: text does not say; None for a fault stated as such.
    verdict: int | None = None

    def gap_negated(self, tokens: Sequence[Token]) -> bool:
        """A negator in a gap of the phrase («после стирки не сели»)."""
        inside = set(self.indices)
        return any(
            tokens[k].word in _NEGATORS or tokens[k].word.endswith("n't")
            for k in range(self.first + 1, self.last)
            if k not in inside
        )


@dataclass
class Reading:
    """A text read once: units, polar evidence per token, aspect and cue matches."""

    seg: Segmented
    #: +1 / -1 / 0 per token (polar words, cue phrases, polar triggers; negation applied).
    polar: list[int]
    hits: list[Hit]
    cues: list[PhraseMatch]
    #: Clauses that ask (questions.py): what stands in them is asked, not judged.
    question_clauses: frozenset[int]
    #: Sum of `polar` per clause, and token indices per sentence (built once).
    clause_polar: dict[int, int] = field(default_factory=dict)
    sentence_members: dict[int, list[int]] = field(default_factory=dict)
    sections: list[tuple[int, int, Sentiment]] = field(default_factory=list)

    @property
    def tokens(self) -> list[Token]:
        return self.seg.tokens

    def in_question(self, token_index: int) -> bool:
        return self.tokens[token_index].clause in self.question_clauses

    def section_default(self, offset: int) -> Sentiment | None:
        for start, end, sentiment in self.sections:
            if start <= offset < end:
                return sentiment
        return None


def sections(text: str) -> list[tuple[int, int, Sentiment]]:
    """Ranges under «Недостатки:» / "Cons:" (negative) and «Достоинства:» / "Pros:"."""
    heads = list(_SECTION_HEAD.finditer(text))
    out = []
    for k, head in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
        name = head.group(1).lower()
        if name.startswith(_NEGATIVE_HEADS):
            out.append((head.end(), end, Sentiment.negative))
        elif name.startswith(_POSITIVE_HEADS):
            out.append((head.end(), end, Sentiment.positive))
    return out


def read_text(
    text: str,
    *,
    question_clauses: Collection[int] = (),
    extra_sections: Sequence[tuple[int, int, Sentiment]] = (),
    seg: Segmented | None = None,
) -> Reading:
    """Segment, match lexicons and score polar words (the shared first step of all rules)."""
    seg = seg or segment(text)
    tokens = seg.tokens
    polar = [_word_polarity(tokens, i) for i in range(len(tokens))]
    taken: set[int] = set()
    matches = _aspect_phrases().find(tokens, taken, text)
    hits: list[Hit] = []
    for m in matches:
        if not m.phrase.tag:
            continue
        hit = Hit(m.phrase.tag, m.phrase.polarity, m.first, m.last, m.indices)
        hits.append(hit)
        if m.phrase.polarity:
            for j in m.indices:
                polar[j] = 0
            gap_flip = -1 if hit.gap_negated(tokens) else 1
            polar[m.first] = m.phrase.polarity * gap_flip
    cues = _cue_phrases().find(tokens)  # cue phrases may run over commas («Wow, thanks»)
    # (cue phrases first: a fear then clears the complaint cues it holds, «боялась, что
    # будет слишком мало» included)
    for m in cues:
        if m.phrase.tag == "neutral":  # "while I work late": no polar word in it counts
            for j in range(m.first, m.last + 1):
                polar[j] = 0
        elif m.phrase.tag in ("complaint", "praise") and m.phrase.polarity:
            for j in m.indices:
                polar[j] = 0
            polar[m.first] = m.phrase.polarity
    for first, last, verdict in _feared_faults(seg, cues, polar):
        # with no verdict only the fear's blame goes: «как советовали, взяла на размер
        # больше — сидит идеально» still praises
        for j in range(first, last + 1):
            if verdict or polar[j] < 0:
                polar[j] = 0
        hits = [
            replace(h, verdict=verdict)
            if first <= h.first <= last and (verdict or h.inherent < 0)
            else h
            for h in hits
        ]
    # (a phrase that holds its own «нет» has said it: «накипи нет» is praise already)
    says_no = {
        j
        for m in (*matches, *cues)
        if any(tokens[k].word == "нет" for k in m.indices)
        for j in m.indices
    }
    polar = [
        (0 if p < 0 and tokens[i].lemma in _NEGATION_NEUTRAL else -p)
        if p and (negated(tokens, i) or (i not in says_no and denied_after(tokens, i)))
        else p
        for i, p in enumerate(polar)
    ]
    # what the card promised («обещали 12 часов тепла», "claims 12 hours of warmth")
    # praises nothing: the buyer quotes it to measure the item against
    # («раньше, чем обещали», "as promised" measure the item: they stay)
    promised = {
        t.clause
        for k, t in enumerate(tokens)
        if (t.lemma in _PROMISE or t.word in _PROMISE)
        and not (k and tokens[k - 1].word in _MEASURED_AGAINST)
    }
    polar = [0 if p > 0 and tokens[i].clause in promised else p for i, p in enumerate(polar)]
    asking = frozenset(question_clauses)
    hits += _quality_fallback(seg, polar, hits, asking, promised)
    hits += _quoted_claims(seg, polar, hits, asking)
    clause_polar: dict[int, int] = {}
    sentence_members: dict[int, list[int]] = {}
    for i, tok in enumerate(tokens):
        clause_polar[tok.clause] = clause_polar.get(tok.clause, 0) + polar[i]
        sentence_members.setdefault(tok.sentence, []).append(i)
    for head in _SECTION_HEAD.finditer(text):  # «Недостатки:» names a section, blames nothing
        for i, tok in enumerate(tokens):
            if head.start() <= tok.start < head.end():
                polar[i] = 0
    return Reading(
        seg=seg,
        polar=polar,
        hits=hits,
        cues=cues,
        question_clauses=asking,
        clause_polar=clause_polar,
        sentence_members=sentence_members,
        sections=[*sections(text), *extra_sections],
    )


#: Words after which the buyer says how it really was («Боялась, что сядет, но нет»).
_CONTRAST = frozenset("но однако а зато but however though".split())
_BARE_NO = frozenset("нет no nope".split())


def _feared_faults(
    seg: Segmented, cues: Sequence[PhraseMatch], polar: Sequence[int]
) -> list[tuple[int, int, int]]:
    """Spans of faults the buyer feared, as (first token, last token, verdict).

    A span runs from a fear cue («боялась, что», "I was worried") to a contrast word, a
    verdict cue or the end of the sentence. The verdict: +1 when the fear did not come true
    (a `refuted` cue in the sentence or the next one, a bare «но нет», or praise after the
    contrast: «опасалась, что придёт битое, но всё целое»), -1 when it did («так и вышло»),
    else 0: a fear alone blames nothing.
    """
    tokens = seg.tokens
    verdicts = [m for m in cues if m.phrase.tag in ("refuted", "confirmed")]
    stops = {i for m in verdicts for i in m.indices}
    out: list[tuple[int, int, int]] = []
    for fear in (m for m in cues if m.phrase.tag == "feared"):
        sentence = tokens[fear.first].sentence
        if any(first <= fear.first <= last for first, last, _ in out):
            continue
        last = fear.last
        while (
            last + 1 < len(tokens)
            and tokens[last + 1].sentence == sentence
            and tokens[last + 1].word not in _CONTRAST
            and last + 1 not in stops
        ):
            last += 1
        near = [
            m
            for m in verdicts
            if tokens[m.first].sentence in (sentence, sentence + 1)
            and not fear.first <= m.first <= last
        ]
        verdict = 0
        if any(m.phrase.tag == "confirmed" for m in near):
            verdict = -1
        elif near:
            verdict = 1
        elif last + 1 < len(tokens) and tokens[last + 1].sentence == sentence:
            rest = [i for i in range(last + 2, len(tokens)) if tokens[i].sentence == sentence]
            bare_no = bool(rest) and tokens[rest[0]].word in _BARE_NO
            if bare_no or sum(polar[i] for i in rest) > 0:
                verdict = 1
        out.append((fear.first, last, verdict))
        # «у меня запаха нет»: a fault named inside the refutation is the fear's answer
        out += [(m.first, m.last, 1) for m in near if m.phrase.tag == "refuted"]
    return out


def _quality_fallback(
    seg: Segmented,
    polar: list[int],
    hits: list[Hit],
    asking: frozenset[int],
    promised: set[int],
) -> list[Hit]:
    """Clauses with no aspect that judge the item («Тёплый, лёгкий», "super warm")."""
    tokens = seg.tokens
    covered = {tokens[h.first].clause for h in hits} | {tokens[h.last].clause for h in hits}
    delivery_sentences = {tokens[h.first].sentence for h in hits if h.aspect == "delivery_speed"}
    out = []
    seen: set[int] = set()
    everything = {t.clause for t in tokens if t.word in _EVERYTHING}
    for i, tok in enumerate(tokens):
        if tok.clause in covered or tok.clause in seen or tok.clause in asking:
            continue
        if not polar[i]:
            continue
        if not (tok.word in _QUALITY or tok.lemma in _QUALITY or _qualifies_item(tokens, i)):
            continue
        if tok.clause in everything or tok.clause in promised:
            continue
        if tok.word in _SPEED and tok.sentence in delivery_sentences:
            continue  # «ждала три недели, это слишком долго»: the parcel, not the item
        seen.add(tok.clause)
        out.append(Hit("quality", 0, i, i))
    return sorted([*out], key=lambda h: h.first)


def _quoted_claims(
    seg: Segmented, polar: list[int], hits: list[Hit], asking: frozenset[int]
) -> list[Hit]:
    """A seller's claim quoted in a complaint («„водонепроницаемый“ чехол промок»)."""
    tokens = seg.tokens
    complains = any(p < 0 for i, p in enumerate(polar) if tokens[i].clause not in asking)
    if not complains:
        return []
    claimed = {tokens[h.first].sentence for h in hits if h.aspect == "description_mismatch"}
    out = []
    for quote in _QUOTE.finditer(seg.text):
        inside = [
            i for i, t in enumerate(tokens) if quote.start() < t.start and t.end < quote.end()
        ]
        if not 1 <= len(inside) <= 2 or tokens[inside[0]].sentence in claimed:
            continue
        if any(tokens[i].pos in _CLAIM_POS or _CLAIM_EN.search(tokens[i].word) for i in inside):
            claimed.add(tokens[inside[0]].sentence)
            out.append(Hit("description_mismatch", -1, inside[0], inside[-1], tuple(inside)))
    return out


def _qualifies_item(tokens: Sequence[Token], i: int) -> bool:
    """An evaluative adverb next to a verb of the item («сушит неплохо», «готовит отлично»)."""
    if tokens[i].word not in _QUALITY_ADVERBS:
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(tokens) and tokens[j].clause == tokens[i].clause:
            if tokens[j].pos == "VERB" and tokens[j].lemma not in _BUYER_VERBS:
                return True
    return False


def _sign(score: int) -> Sentiment | None:
    return Sentiment.positive if score > 0 else Sentiment.negative if score < 0 else None


def _polarity(reading: Reading, hit: Hit, hit_clauses: set[int]) -> Sentiment | None:
    tokens = reading.tokens
    if reading.in_question(hit.first):
        return Sentiment.neutral
    if hit.verdict is not None:  # a feared fault: how it turned out, not the words of the fear
        return _sign(hit.verdict) or Sentiment.neutral
    if hit.inherent:
        flip = negated(tokens, hit.first) != hit.gap_negated(tokens)
        return _sign(-hit.inherent if flip else hit.inherent)
    if hit.aspect in _FAULTS_BY_NAME and denied_after(tokens, hit.last):
        # «запаха никакого нет»: the fault is absent («коробки нет» is no praise: a box is
        # something that should be there)
        return Sentiment.positive
    clause = tokens[hit.first].clause
    own = range(hit.first, hit.last + 1)
    score = reading.clause_polar.get(clause, 0)
    if score == 0:
        # the sentence's polar words, outside the clauses of other aspects
        score = sum(
            reading.polar[j]
            for j in reading.sentence_members.get(tokens[hit.first].sentence, [])
            if j not in own and (tokens[j].clause == clause or tokens[j].clause not in hit_clauses)
        )
    return _sign(score)


def clause_text(seg: Segmented, first: Token, last: Token) -> str:
    """The clause(s) holding tokens first..last, trimmed; a clause that is a lone noun
    («Доставка — ужас») takes its neighbour, a lone verb or adjective («Протекает») is a
    complaint by itself."""
    text = seg.text
    lo, hi = first.clause, last.clause
    words = [t for t in seg.tokens if lo <= t.clause <= hi]
    if len(words) < 2 and words and words[0].pos == "NOUN":
        same = [k for k in range(len(seg.clauses)) if seg.clause_sentence[k] == first.sentence]
        if hi + 1 in same:
            hi += 1
        elif lo - 1 in same:
            lo -= 1
    span = Span(seg.clauses[lo].start, seg.clauses[hi].end)
    inside = [t for t in seg.tokens if span.start <= t.start < span.end]
    while inside and inside[0].word in LEADING_CONNECTORS and len(inside) > 1:
        if inside[0].start >= first.start:
            break
        inside = inside[1:]
    start = inside[0].start if inside else span.start
    end = span.end
    if end - start > _CLAUSE_MAX:
        window = [t for t in inside if abs(t.start - first.start) <= _CLAUSE_MAX // 2]
        start, end = window[0].start, window[-1].end
    return text[start:end].strip().rstrip(".,;:!…-–— ").strip()


def aspects_of(reading: Reading, default: Sentiment = Sentiment.neutral) -> list[Aspect]:
    """The aspects of a read text, one per (aspect, polarity), in text order."""
    tokens = reading.tokens
    text = reading.seg.text
    hit_clauses = {tokens[h.first].clause for h in reading.hits}
    resolved: list[tuple[Hit, Sentiment]] = []
    for hit in reading.hits:
        polarity = (
            _polarity(reading, hit, hit_clauses)
            or reading.section_default(tokens[hit.first].start)
            or default
        )
        resolved.append((hit, polarity))
    by_clause: dict[int, list[int]] = {}
    for k, (hit, _) in enumerate(resolved):
        by_clause.setdefault(tokens[hit.first].clause, []).append(k)
    # one clause, one verdict per aspect: «в комплекте не хватает болтов» is not also
    # «в комплекте» praise; the phrase with more matched words decides, a complaint on a tie
    verdicts = list(resolved)
    for members in by_clause.values():
        for k in members:
            hit, polarity = resolved[k]
            for m in members:
                other, other_polarity = resolved[m]
                if (
                    m != k
                    and other.aspect == hit.aspect
                    and {polarity, other_polarity} == {Sentiment.positive, Sentiment.negative}
                    and (len(other.indices), other_polarity is Sentiment.negative)
                    > (len(hit.indices), polarity is Sentiment.negative)
                ):
                    verdicts[k] = (hit, other_polarity)
    kept: list[tuple[Hit, Sentiment]] = []
    seen: set[tuple[str, Sentiment]] = set()
    for k, (hit, polarity) in enumerate(verdicts):
        if polarity is Sentiment.neutral:
            # a topic word with no polar evidence, or asked about, is neither praised nor
            # blamed: it is no aspect judgement («Подойдёт ли на iPhone 14?», «в коробке»)
            continue
        if (hit.aspect, polarity) in seen or _redundant(
            hit, polarity, [verdicts[m] for m in by_clause[tokens[hit.first].clause] if m != k]
        ):
            continue
        seen.add((hit.aspect, polarity))
        kept.append((hit, polarity))
    out = []
    for hit, polarity in kept:
        first, last = tokens[hit.first], tokens[hit.last]
        out.append(
            Aspect(
                aspect=hit.aspect,
                polarity=polarity,
                start=first.start,
                end=last.end,
                text=text[first.start : last.end],
                clause=clause_text(reading.seg, first, last),
            )
        )
    return out


def _redundant(
    hit: Hit, polarity: Sentiment, clause_mates: Sequence[tuple[Hit, Sentiment]]
) -> bool:
    """A broad aspect explained by a specific one in its clause (lexicon.SUBSUMES)."""
    for other, other_polarity in clause_mates:
        if hit.aspect == "other" and other.aspect != "other":
            return True
        # a specific complaint explains the broad one beside it, specific praise the broad
        # praise («цвет как на фото» is not also a description match); but praise of the
        # quality beside a detail («супер качество швы ровные») is two judgements
        if hit.aspect in lexicon.SUBSUMES.get(other.aspect, ()) and (
            (other_polarity is Sentiment.negative and polarity is not Sentiment.positive)
            or (other_polarity is polarity is Sentiment.positive and hit.aspect != "quality")
        ):
            return True
    return False


def extract_aspects(
    text: str,
    default: Sentiment = Sentiment.neutral,
    *,
    question_clauses: Collection[int] | None = None,
) -> list[Aspect]:
    """Aspects found in `text`, in text order (questions found here unless given)."""
    seg = segment(text)
    if question_clauses is None:
        from services.sentiment.classifier.questions import question_clause_indices

        question_clauses = question_clause_indices(seg)
    reading = read_text(text, question_clauses=question_clauses, seg=seg)
    return aspects_of(reading, default)
