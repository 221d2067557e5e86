"""Complaint and praise cues of a text, and the sarcasm flag (ru, en).

The fusion rule needs to know, beside the text model's label, whether the customer
complains at all (a 5★ review with a remark), praises at all (a 1★ slip), and whether the
praise is ironic. Sarcasm, one of:
1. a marker phrase («ну спасибо», «спасибо за брак», «подарок мечты», "thanks for
   nothing", "just great") next to a complaint, or two such markers;
2. an evaluative praise word and a severe complaint (a defect, not working, a fake, a
   wrong item, …) in one sentence with no contrast word between them («отличное
   качество, развалилось через день», "great, it broke on day two") — with «но» / "but"
   it is a mixed review, and praise of an unrelated aspect («быстрая доставка, товар
   сломан») is not irony; under 1–2★ the praise and the complaint may stand in different
   sentences and the complaint need not be severe;
3. a praise emoji (👍 😊 …) beside a severe complaint in a text with no praise word and
   no praised aspect («не работает 👍»); an irony emoji (🙃 🤡) or a closing "Not." beside
   any complaint.
Under sarcasm every praised aspect («отличное качество», «сервис на высоте») is read as
blamed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.sentiment.classifier import lexicon
from services.sentiment.classifier.aspects import Reading
from services.sentiment.classifier.text_units import normal
from shared.events import Aspect, Sentiment

#: Rule 2 reads only praise of the item itself: «спасибо продавцу, быстро заменили брак»
#: thanks, it is not irony (irony with thanks needs a marker: «спасибо за брак»).
_IRONY = frozenset(normal(w) for w in lexicon.IRONY_PRAISE)
_CONTRAST = frozenset(normal(w) for w in lexicon.CONTRAST)
#: Aspects whose praise is undone by a severe complaint next to it (quality, the item).
_GENERAL = frozenset({"quality", "other"})
_NO_DRAWBACK = frozenset(normal(w) for w in lexicon.NO_DRAWBACK_ANSWERS)


@dataclass(frozen=True)
class TextCues:
    """What the words of a review say, beside the text model."""

    #: Complaint cues outside genuine questions: blamed aspects, negative words / phrases.
    complaint: int = 0
    #: Praise cues outside genuine questions: praised aspects, positive words, emoji.
    praise: int = 0
    sarcasm: bool = False
    #: Severe aspects blamed (defect, not working, …): complaints no star rating hides.
    severe: int = 0
    #: The text asks something (a genuine question outside rhetorical ones).
    asks: bool = False
    #: The customer calls a complaint minor («но это мелочь», "otherwise great").
    minor: int = 0
    #: Blamed aspects that leave the item unusable (broken, fake, leaking, …).
    unusable: int = 0
    #: Complaint cues in a sentence whose customer turns the difference into a plus
    #: («темнее, чем на фото, но так даже лучше»).
    turned: int = 0
    #: Words in the text: in a short text the cue lists see most of what is said.
    words: int = 0
    #: Praise given as the one consolation («единственный плюс — коробка», "at least").
    consolation: int = 0


def _token_starts(reading: Reading, aspects: Sequence[Aspect]) -> list[int]:
    """Token indices where the aspects' triggers start."""
    at = {t.start: k for k, t in enumerate(reading.tokens)}
    return [at[a.start] for a in aspects if a.start in at]


def says_no_drawback(field: str | None) -> bool:
    """A cons field that names no drawback («Ничего», «Нет», "Nothing so far")."""
    if not field:
        return False
    return normal(field).strip(" .!,)(") in _NO_DRAWBACK


def _emoji_count(text: str) -> int:
    count = sum(text.count(e) for e in lexicon.POSITIVE_EMOJI)
    return count + text.count("))")


def _sarcastic_sentences(reading: Reading, aspects: Sequence[Aspect]) -> set[int]:
    """Sentences where an evaluative praise word stands next to a severe complaint."""
    tokens = reading.tokens
    at = {t.start: k for k, t in enumerate(tokens)}
    severe_at = [
        a for a in aspects if a.polarity is Sentiment.negative and a.aspect in lexicon.SEVERE
    ]
    praised_clauses = {
        tokens[at[a.start]].clause: a.aspect
        for a in aspects
        if a.polarity is Sentiment.positive and a.start in at
    }
    inside_hits = {k for h in reading.hits for k in range(h.first, h.last + 1)}
    found: set[int] = set()
    for i, tok in enumerate(tokens):
        if reading.polar[i] <= 0 or not (tok.word in _IRONY or tok.lemma in _IRONY):
            continue
        if reading.in_question(i) or i in inside_hits:
            continue
        praised = praised_clauses.get(tok.clause)
        for complaint in severe_at:
            j = at.get(complaint.start)
            if j is None or tokens[j].sentence != tok.sentence:
                continue
            if praised is not None and praised not in _GENERAL | {complaint.aspect}:
                continue
            lo, hi = sorted((i, j))
            if any(tokens[k].word in _CONTRAST for k in range(lo + 1, hi)):
                continue
            found.add(tok.sentence)
    return found


def _praise_beside_blame(reading: Reading, aspects: Sequence[Aspect]) -> bool:
    """An evaluative praise word and a blamed aspect with no contrast word between them."""
    tokens = reading.tokens
    praise = [
        i
        for i, t in enumerate(tokens)
        if reading.polar[i] > 0
        and (t.word in _IRONY or t.lemma in _IRONY)
        and not reading.in_question(i)
    ]
    at = {t.start: k for k, t in enumerate(tokens)}
    blamed = [at[a.start] for a in aspects if a.polarity is Sentiment.negative and a.start in at]
    text = reading.seg.text
    for i in praise:
        for j in blamed:
            lo, hi = sorted((i, j))
            if "\n" in text[tokens[lo].end : tokens[hi].start]:
                continue  # a list of pros and cons, one per line, is a mixed review
            if not any(tokens[k].word in _CONTRAST for k in range(lo + 1, hi)):
                return True
    return False


def _blame_ironic_praise(aspects: Sequence[Aspect]) -> list[Aspect]:
    """Irony praises what it blames: «Отличное качество, развалилось через день» blames the
    quality. The blamed aspect takes the clause of the nearest real complaint, so a reply
    names the problem («развалилось через день»), never the ironic praise."""
    complaints = [a for a in aspects if a.polarity is Sentiment.negative]
    out = []
    for a in aspects:
        if a.polarity is not Sentiment.positive:
            out.append(a)
            continue
        update: dict[str, object] = {"polarity": Sentiment.negative}
        if complaints:
            nearest = min(complaints, key=lambda c: abs(c.start - a.start))
            update["clause"] = nearest.clause
        out.append(a.model_copy(update=update))
    return out


#: What follows «другой» / "other" when the buyer speaks of somewhere else.
_OTHER_PLACES = frozenset(
    "магазин продавец бренд сайт маркетплейс фирма shop shops store stores seller sellers "
    "brand brands website websites".split()
)
#: What follows "other" when the buyer retells what others wrote ("other reviewers").
_OTHER_PEOPLE = frozenset("reviewers reviews people buyers customers покупатель отзыв".split())


def _elsewhere_clauses(reading: Reading) -> set[int]:
    """Clauses about other shops or brands («в других магазинах», "other brands"), and
    every clause of a sentence that retells other buyers ("like other reviewers have
    mentioned -- smoking")."""
    tokens = reading.tokens
    out: set[int] = set()
    retold: set[int] = set()
    for k, tok in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if nxt is None or nxt.clause != tok.clause:
            continue
        if tok.lemma in ("другой", "other") and (
            nxt.lemma in _OTHER_PLACES or nxt.word in _OTHER_PLACES
        ):
            out.add(tok.clause)
        elif tok.lemma in ("другой", "other") and (
            nxt.lemma in _OTHER_PEOPLE or nxt.word in _OTHER_PEOPLE
        ):
            retold.add(tok.sentence)
    out.update(t.clause for t in tokens if t.word == "elsewhere" or t.sentence in retold)
    return out


def read_cues(
    reading: Reading, aspects: Sequence[Aspect], rating: int | None = None
) -> tuple[TextCues, list[Aspect]]:
    """The cues of a read text, and its aspects with ironic praise turned into blame.

    `rating`: under 1–2 stars, rule 2 reaches across sentences and any blamed aspect
    («Прекрасные полотенца! Линяют так, что вся ванна голубая»): nobody gives one star
    and calls the item excellent in earnest without a "but".
    """
    tokens = reading.tokens
    outside = [i for i in range(len(tokens)) if not reading.in_question(i)]
    elsewhere = _elsewhere_clauses(reading)
    if elsewhere:
        # "…like other reviewers have mentioned -- smoking": no blame of this buyer's
        at = {t.start: t for t in tokens}
        aspects = [
            a
            for a in aspects
            if not (
                a.polarity is Sentiment.negative
                and a.start in at
                and at[a.start].clause in elsewhere
            )
        ]
    # «в других магазинах ничего не нравилось»: a complaint about other shops is none here
    complaint_words = sum(
        1 for i in outside if reading.polar[i] < 0 and tokens[i].clause not in elsewhere
    )
    praise_words = sum(1 for i in outside if reading.polar[i] > 0)
    blamed = [a for a in aspects if a.polarity is Sentiment.negative]
    emoji = _emoji_count(reading.seg.text)
    blamed_sentences = {tokens[at].sentence for at in _token_starts(reading, blamed)}
    complaint_sentences = blamed_sentences | {
        tokens[i].sentence
        for i in outside
        if reading.polar[i] < 0 and tokens[i].clause not in elsewhere
    }
    markers = [
        m
        for m in reading.cues
        if not reading.in_question(m.first)
        and (
            m.phrase.tag == "sarcasm"
            or (m.phrase.tag == "sarcasm-near" and tokens[m.first].sentence in complaint_sentences)
        )
    ]
    complaint = complaint_words + len(blamed)
    severe = [a for a in blamed if a.aspect in lexicon.SEVERE]
    ironic_sentences = _sarcastic_sentences(reading, aspects)
    praised_specific = [
        a for a in aspects if a.polarity is Sentiment.positive and a.aspect not in _GENERAL
    ]
    irony_emoji = any(e in reading.seg.text for e in lexicon.IRONY_EMOJI)
    not_tag = any(
        normal(reading.seg.text[s.start : s.end]).strip(".!… ") in ("not", "нет", "ага") and k > 0
        for k, s in enumerate(reading.seg.sentences)
    )
    sarcasm = (
        (bool(markers) and complaint > 0)
        or ((irony_emoji or not_tag) and complaint + len(markers) > 0)
        or len(markers) >= 2
        or bool(ironic_sentences)
        or (rating is not None and rating <= 2 and _praise_beside_blame(reading, aspects))
        # «не работает 👍»; not «Пуховик огонь🔥 тёплый, лёгкий… молния туговата»
        or (emoji > 0 and bool(severe) and not praised_specific and not praise_words)
    )
    if sarcasm:
        aspects = _blame_ironic_praise(aspects)
        # ironic praise counts as complaint, not as praise
        praise_words = max(0, praise_words - len(markers) - len(ironic_sentences))
        emoji = 0
    praised = sum(1 for a in aspects if a.polarity is Sentiment.positive)
    blamed_now = sum(1 for a in aspects if a.polarity is Sentiment.negative)
    angry = sum(reading.seg.text.count(e) for e in lexicon.NEGATIVE_EMOJI)
    minor = sum(
        1 for m in reading.cues if m.phrase.tag == "minor" and not reading.in_question(m.first)
    )
    # the complaints said in a sentence whose buyer turns them into a plus
    plus_sentences = {
        tokens[m.first].sentence
        for m in reading.cues
        if m.phrase.tag == "turned" and not reading.in_question(m.first)
    }
    turned = sum(
        1 for i in outside if reading.polar[i] < 0 and tokens[i].sentence in plus_sentences
    )
    turned += sum(
        1
        for at in _token_starts(reading, [a for a in aspects if a.polarity is Sentiment.negative])
        if tokens[at].sentence in plus_sentences
    )
    consolation = sum(
        1
        for m in reading.cues
        if m.phrase.tag == "consolation" and not reading.in_question(m.first)
    )
    cues = TextCues(
        consolation=consolation,
        minor=minor,
        turned=turned,
        words=len(tokens),
        unusable=sum(1 for a in severe if a.aspect in lexicon.UNUSABLE),
        asks=bool(reading.question_clauses),
        complaint=complaint_words + blamed_now + angry,
        praise=praise_words + praised + emoji,
        sarcasm=sarcasm,
        severe=len(severe),
    )
    return cues, list(aspects)
