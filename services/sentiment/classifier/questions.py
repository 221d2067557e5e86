"""Questions inside a review: what the reply must answer (or a person must, before approval).

A sentence is a question when
- it ends in «?» (smileys and brackets after it included), or
- it opens (after «а», «и», «ну», «кстати», "also", "so"…) the way buyers ask without a
  question mark: a request for information («подскажите размер», «уточните», "please
  advise"), a question word with a question's shape («как стирать», «где инструкция на
  русском», «какой размер брать», "how do I", "which size"), «ли» among the first words
  («будет ли поставка», «подойдёт ли»), an auxiliary before its subject ("does it come
  with", "is this normal"), or «хочу узнать», "I wonder", "anyone know"; a sentence that
  ends in «!» is an exclamation («Какая красота!»), and a clause after a comma that starts
  with a question word is subordinate («Когда открыла коробку, …»).

Rhetorical questions are not counted: they need an apology, not an answer. Rule: a
question is rhetorical when it is a known indignant formula («вы серьёзно?», «за что?»,
«как так?», «что это за …?», «это вообще нормально?», «зачем писать неправду?», "are you
kidding me?", "how am I supposed to …?"), when the next sentence mocks it («Оригинал? Да
конечно.»), or when it ends in «??», «?!» — indignation, not a request — unless it asks
explicitly («подскажите …??», «будет ли …??»). A worry asked with one «?» («Запах
сильный, это нормально?», «Это вообще безопасно для ребёнка?») stays a question.
"""

from __future__ import annotations

import re

from services.sentiment.classifier.text_units import Segmented, Span, Token, normal, segment
from shared.events import QuestionSpan

_FILLERS = frozenset(
    "а и ну так вот еще также кстати пожалуйста уважаемый уважаемые продавец продавцы "
    "добрый день здравствуйте вопрос ps also and so btw please hi hello hey question".split()
)
_ASK_PREFIXES = (
    "подскаж", "скажите", "уточнит", "объясните", "посоветуй", "ответьте", "напишите",
    "поясните", "расскажите", "подскажете", "скажете",
)  # fmt: skip
_RU_WH = frozenset("где куда откуда почему зачем сколько когда кто чем чего каков".split())
_RU_KAK_NEXT = frozenset(
    "быть так долго часто правильно лучше можно это его ее их им мне нам вам понять узнать "
    "сделать вернуть обменять поступить добиться связаться получить".split()
)
_RU_CHTO_NEXT = frozenset("делать с такое будет если значит можно лучше".split())
_RU_WANT = frozenset("хочу хотелось хотела хотел хотим хотелось бы".split())
_RU_KNOW = frozenset("узнать уточнить спросить знать понять".split())
_EN_WH = frozenset("how what where when why which who whom whose".split())
_EN_WHICH_NEXT = frozenset(
    "one ones size sizes colour color colours colors model version type is are do does "
    "should can would will has have".split()
)
_EN_AUX = frozenset(
    "do does did is are was were can could will would should has have may might shall "
    "isn't aren't doesn't don't didn't can't won't".split()
)
_EN_SUBJECT = frozenset(
    "i you it this that they we he she there the these those my your anyone anybody "
    "someone somebody its any a an one".split()
)
_EN_PRONOUN = frozenset("i we they he she you".split())
_EN_OPENERS = (
    ("any", "idea"), ("any", "ideas"), ("any", "tips"), ("any", "advice"),
    ("any", "solution"), ("any", "solutions"), ("any", "suggestions"), ("any", "fix"),
    ("anyone", "know"), ("anybody", "know"), ("please", "advise"), ("please", "tell"),
    ("please", "let"), ("please", "explain"), ("please", "confirm"), ("i", "wonder"),
    ("wondering",), ("i", "was", "wondering"), ("need", "to", "know"), ("can", "someone"),
    ("could", "someone"), ("can", "anyone"), ("let", "me", "know"), ("how", "to"),
)  # fmt: skip
_RHETORICAL = [
    re.compile(p)
    for p in (
        r"^(?:\w+,\s+)?(?:ну\s+)?(?:вы|ты)\s+"
        r"(?:серьезно|издеваетесь|нормальные|смеетесь|в своем уме)",
        r"^(?:серьезно|реально|правда|да ладно)\W*$",
        r"\bкак так\b", r"\bза что\b", r"\bкуда смотр", r"\bгде (?:ваша |ваш )?(?:совесть|отк)",
        r"\bэто (?:шутка|издевательство|прикол)\b", r"\bсколько можно\b",
        r"\bкто (?:так делает|это проверяет|это придумал|так шьет)", r"\bи это называется\b",
        r"\bкак такое (?:можно|возможно)\b", r"\bвы издеваетесь\b",
        # «Как это вообще можно перепутать.»: indignation, not an ask
        r"^как (?:это |так )?(?:вообще )?(?:можно|могли|умудрились) (?:было )?(?:перепутать|"
        r"спутать|так|не заметить|отправить|прислать|упаковать)",
        r"^(?:seriously|really|are you serious)\W*$", r"\bare you (?:kidding|serious|joking)",
        r"\bis this a joke\b", r"\bwho (?:designed|approved|thought|checks)\b",
        r"\bwhat were (?:they|you) thinking\b", r"\bhow is this (?:acceptable|possible|ok)",
        r"\bwhy would anyone\b", r"\bhow hard is it\b", r"\bwhat a joke\b",
        r"^how (?:lame|stupid|dumb|ridiculous|pathetic|annoying|sad) is that\b",
        r"\bвы\s+сами(?:-то)?\s+(?:\w+\s+){0,2}(?:спали|пробовали|носили|пользовались|видели|ели)\b",
        r"\bhave you (?:even )?(?:tried|used|worn|slept)\b",
        r"\bhow (?:can|could) (?:you|they|anyone) (?:make|sell|design|call|ship)\b",
        r"\bhow am i supposed to\b", r"\bзачем (?:писать|обманывать|врать)",
        # praise asked as a question: "Who wouldn't love a blender this powerful?"
        r"\bwho (?:wouldn'?t|would not|doesn'?t|does not|didn'?t|could resist)\b",
        r"\bwhat(?:'s| is) not to (?:love|like)\b",
        r"\bwhat more could (?:you|i|anyone) (?:ask|want)",
        r"\bneed i say more\b", r"\bwhat else (?:can|could) i say\b",
        r"\benough said\b",
        # musing, not asking: "i suppose the fabric might drape nicely if you're 5'8?"
        r"^(?:i\s+suppose|i\s+guess|maybe|perhaps|i\s+wonder\s+if\s+it\s+would)\b",
        # disbelief at a size chart, not an ask: "…but i'm not a large?"
        r"\bi(?:'m|’m| am) not (?:a|an)\b",
        r"^что это за\b", r"\bэто вообще нормально\b", r"\bговорите$",
        r"^(?:ну и )?кто (?:\w+л[аи]?)$",
    )
]  # fmt: skip
#: Question words that, opening a sentence with a comma later, open a subordinate clause.
_SUBORDINATORS = frozenset("когда где кто чем when where who".split())
_MOCK_ANSWERS = (
    "да конечно", "ага", "ну да", "сомневаюсь", "вряд ли", "yeah right", "sure,", "as if",
    "doubt it", "i doubt",
)  # fmt: skip
#: A doubt about authenticity asks, however loudly («Это вообще оригинал??»).
_AUTHENTICITY = re.compile(
    r"оригинал|подделк|подлинн|genuine|fake|authentic|original|"
    # whether it is new asks («Это новый телефон??», "is this even new??")
    r"(?<![а-яё])нов(?:ый|ая|ое|ые)\b|\bbrand\s+new\b|\bnew\b|\bused\b|б/у|"
    # where the goods come from asks too («Откуда товар??»)
    r"откуда\s+(?:товар|этот|эта|это|такой|такая|партия)|где\s+(?:вы\s+)?(?:бер[её]те|закупа)|"
    r"where\s+(?:do\s+you\s+(?:get|source|buy)|is\s+(?:it|this)\s+(?:made|from))"
)
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def _tail(sentence: str) -> str:
    """The punctuation run at the end of a sentence (smileys and brackets skipped)."""
    end = len(sentence)
    while end > 0 and not sentence[end - 1].isalnum():
        end -= 1
    return sentence[end:]


def _hyphenated(text: str, token: Token) -> bool:
    return text[token.end : token.end + 1] in ("-", "‐")


def _opens_question(seg: Segmented, tokens: list[Token]) -> bool:
    """A sentence (or clause) that asks without a question mark, by its first words."""
    words = [t.word for t in tokens]
    k = 0
    while k < len(words) - 1 and words[k] in _FILLERS:
        k += 1
    if k >= len(words):
        return False
    t0, rest = tokens[k], words[k + 1 :]
    w0, w1 = t0.word, rest[0] if rest else ""
    if _hyphenated(seg.text, t0):
        return False
    if w0.startswith(_ASK_PREFIXES) or (w0 == "не" and w1.startswith(_ASK_PREFIXES)):
        return True
    if "ли" in words[k + 1 : k + 4]:
        return True
    if w0 in _RU_WANT and any(w in _RU_KNOW for w in rest[:3]):
        return True
    if w0 == "интересно" and ("ли" in rest or any(w in _RU_WH or w == "как" for w in rest)):
        return True
    if w0 == "можно" and w1 in _RU_KNOW | {"ли", "стирать", "вернуть", "обменять"}:
        return True
    if k > 0 and words[k - 1] == "а" and w0 in ("есть", "будет", "можно", "бывает"):
        return True
    if w0 in _RU_WH or (t0.lemma == "какой" and w0 != "какая-то"):
        return True
    if w0 == "как":
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        return nxt is not None and (nxt.pos == "INFN" or nxt.word in _RU_KAK_NEXT)
    if w0 == "что" and w1 in _RU_CHTO_NEXT:
        return True
    for opener in _EN_OPENERS:
        if opener in (tuple(words[k : k + len(opener)]), tuple(words[: len(opener)])):
            return True
    if w0 in _EN_WH:
        if w0 == "what" and w1 in ("a", "an"):
            return False
        if w0 in ("which", "who", "whom", "whose") and w1 not in _EN_WHICH_NEXT:
            return False  # "Which to us was a big reason…": a relative clause, not an ask
        return w1 not in _EN_PRONOUN or (len(rest) > 1 and rest[1] in _EN_AUX)
    # "Does the job." is praise: an auxiliary question has a verb after its subject
    return w0 in _EN_AUX and w0 != "don't" and w1 in _EN_SUBJECT and len(rest) >= 3


_EN_OPENERS_RE = re.compile(
    r"\b(?:please\s+(?:advise|let\s+me\s+know|tell\s+me|explain|help)|let\s+me\s+know\s+(?:how|what|if|whether|when)|"
    r"any\s+(?:solution|ideas?|advice|tips|suggestions)\b.*\blet\s+me\s+know)|"
    r"(?<![а-яё])подскажите(?![а-яё])",
    re.IGNORECASE,
)
#: A buyer asking how to get something done asks however loudly ("How do I reach a human??").
_EN_HOW_DO_I = re.compile(
    r"(?:how|where|who|when)\s+(?:do|can|should)\s+i\b|is\s+there\s+(?:a|any)\s+way\b|"
    r"can\s+(?:i|you|someone)\b|will\s+i\s+get\b"
)


_ASKS_MIDWAY = re.compile(
    r"(?:,|\bbut|\band|\bso|(?<![а-яё])но|(?<![а-яё])а)\s+(?:how\s+(?:do|can|should|would)\s+i|"
    r"where\s+(?:do|can)\s+i|(?:can|could)\s+(?:you|i)|is\s+there\s+(?:a|any)|"
    r"как\s+(?:мне|можно)|подскажите|можно\s+ли)\b"
)


#: What it is made of is asked in earnest however loudly («что там в составе??»): an
#: allergic buyer needs the answer.
_INGREDIENTS = re.compile(
    r"(?:что|какой)\s+(?:там\s+)?(?:в\s+)?состав|из\s+чего|\bwhat(?:'s|\s+is)\s+in\s+(?:it|this|the)\b|"
    r"\bingredients\b"
)


#: Whether it is safe is asked in earnest however loudly ("Is this even safe??").
_SAFETY = re.compile(r"\bsafe\b|\btoxic\b|\bharmful\b|безопасн|вредн|токсичн")
#: …and so is how to do something ("there's no way to turn it off??", «как отключить звук??»).
_HOW_TO = re.compile(
    r"\bwarranty\b|\bguarantee\b|(?<![а-яё])гаранти|\bno\s+way\s+to\b|\bhow\s+(?:do|can|should)\s+(?:i|you|we)\b|\bis\s+there\s+(?:a|any)\s+way\b|"
    r"(?<![а-яё])(?:как|можно\s+ли)\s+(?:его\s+|её\s+|ее\s+|это\s+)?(?:отключить|выключить|убрать|"
    r"настроить|поменять|сменить)"
)
#: …and so is whether it works with the buyer's device ("is this even compatible with ios??").
_COMPATIBILITY = re.compile(
    r"\bcompatible\b|\bwork(?:s)?\s+with\b|\bsupports?\b|совместим|подойд[её]т\s+(?:к|для|ли)|"
    r"подходит\s+(?:ли|к|для)"
)


def _rhetorical(sentence: str, tail: str, following: str) -> bool:
    lowered = normal(sentence).strip()
    body = lowered.rstrip("?!.…)( ")
    if any(p.search(body) for p in _RHETORICAL):
        return True
    if normal(following).startswith(_MOCK_ANSWERS):
        return True  # «Оригинал? Да конечно.»: asked and mocked in one breath
    words = _WORDS.findall(body)
    explicit = bool(words) and (
        words[0].startswith(_ASK_PREFIXES)
        or "ли" in words[:4]
        or _EN_HOW_DO_I.match(body) is not None
        # "app is fine but how do i reset my password??": the ask opens the last clause
        or _ASKS_MIDWAY.search(body) is not None
    )
    if (
        _AUTHENTICITY.search(body)
        or _INGREDIENTS.search(body)
        or _SAFETY.search(body)
        or _COMPATIBILITY.search(body)
        or _HOW_TO.search(body)
    ):
        return False
    return ("??" in tail or "?!" in tail or "!?" in tail) and not explicit


def _by_sentence(seg: Segmented) -> dict[int, list[Token]]:
    out: dict[int, list[Token]] = {}
    for tok in seg.tokens:
        out.setdefault(tok.sentence, []).append(tok)
    return out


def _question_part(
    seg: Segmented, index: int, tokens: list[Token]
) -> tuple[Span, list[int]] | None:
    """The span of sentence `index` that asks and the clauses that ask in it, or None.

    With «?» the span is the whole sentence (the reader sees the context), but only the
    clauses from the last one that opens a question — or the last clause — ask: «Запах
    сильный, это нормально?» states a smell complaint and asks about it.
    """
    sentence = seg.sentences[index]
    raw = seg.text[sentence.start : sentence.end]
    tail = _tail(raw)
    if not tokens:
        return None
    by_clause: dict[int, list[Token]] = {}
    for tok in tokens:
        by_clause.setdefault(tok.clause, []).append(tok)
    clause_ids = sorted(by_clause)
    if "?" in tail and re.search(r"['\"‘“«]\?+$", raw.rstrip(" '\"’”»")):
        return None  # "characters like: '?' and '/'": a quoted question mark asks nothing
    if "?" in tail:
        following = ""
        if index + 1 < len(seg.sentences):
            nxt = seg.sentences[index + 1]
            following = seg.text[nxt.start : nxt.end]
        if _rhetorical(raw, tail, following):
            return None
        opening = [c for c in clause_ids if _opens_question(seg, by_clause[c])]
        first_asking = opening[-1] if opening else clause_ids[-1]
        return sentence, [c for c in clause_ids if c >= first_asking]
    if any(p.search(normal(raw).strip().rstrip("?!.…)( ")) for p in _RHETORICAL):
        return None  # «Как это вообще можно перепутать.»: indignation without its «?»
    if "!" in tail and not any(
        _EN_OPENERS_RE.search(seg.text[seg.clauses[c].start : seg.clauses[c].end])
        for c in clause_ids
    ):
        return None  # "any solution please let me know!" asks however loudly
    ends_with_period = "." in tail or "…" in tail
    for n, clause in enumerate(clause_ids):
        clause_tokens = by_clause[clause]
        if not _opens_question(seg, clause_tokens):
            continue
        # a question word after a comma is usually subordinate («…, когда открыла»), an
        # explicit request is not («Всё подошло, подскажите, как стирать»)
        first = clause_tokens[0].word
        if n > 0 and not first.startswith(_ASK_PREFIXES) and first not in ("а", "и", "но"):
            continue
        if ends_with_period and first in _EN_AUX:
            continue  # "Does the job for the car seats." states; an English question asks
        if n == 0 and len(clause_ids) > 1 and first in _SUBORDINATORS:
            continue
        return Span(seg.clauses[clause].start, sentence.end), clause_ids[n:]
    return None


def question_clause_indices(seg: Segmented) -> set[int]:
    """Indices of the clauses that ask something (rhetorical questions excluded)."""
    by_sentence = _by_sentence(seg)
    out: set[int] = set()
    for i in range(len(seg.sentences)):
        part = _question_part(seg, i, by_sentence.get(i, []))
        if part is not None:
            out.update(part[1])
    return out


def find_questions(text: str, seg: Segmented | None = None) -> list[QuestionSpan]:
    """Question spans in text order (see the module docstring for the rule)."""
    seg = seg or segment(text)
    by_sentence = _by_sentence(seg)
    out = []
    for i in range(len(seg.sentences)):
        part = _question_part(seg, i, by_sentence.get(i, []))
        if part is not None:
            span = part[0]
            out.append(
                QuestionSpan(start=span.start, end=span.end, text=text[span.start : span.end])
            )
    return out


def whole_text_question(text: str) -> list[QuestionSpan]:
    """A question mention: the whole (trimmed) text is the question."""
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end <= start:
        return []
    return [QuestionSpan(start=start, end=end, text=text[start:end])]
