"""One concrete detail of the buyer's own review, found so the reply can echo it.

A reply that says «рады, что рюкзак понравился сыну» was written by someone who read the
review; one that says «рады, что вам понравилось» could be under any card. These pure
functions find who the item was for, what it is used for, and the complaint in the
buyer's own words, and decide whether that wording is safe to repeat publicly (short, no
profanity or insults, nothing we would be admitting by repeating it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.events import Aspect, Sentiment

_F = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class Detail:
    """A detail ready for a slot: `kind` picks the phrasings, `value` fills them."""

    kind: str  # recipient | use
    value: str


# --- who the item was for --------------------------------------------------------------
#: (pattern over the review, Russian dative for «понравился {…}», genitive for «для {…}»).
_RECIPIENTS_RU: tuple[tuple[str, str, str], ...] = (
    (r"внучк[еаиу]|внучень?к", "внучке", "внучки"),
    (r"внук[уа]?\b", "внуку", "внука"),
    (r"дочк[еаиу]|дочер[иь]|дочурк", "дочке", "дочки"),
    (r"сын[уа]?\b|сыночк|сынишк", "сыну", "сына"),
    (r"муж[уа]?\b", "мужу", "мужа"),
    (r"жен[еуы]\b", "жене", "жены"),
    (r"мам[еыу]\b|мамочк", "маме", "мамы"),
    (r"пап[еыу]\b", "папе", "папы"),
    (r"бабушк[еи]", "бабушке", "бабушки"),
    (r"дедушк[еи]", "дедушке", "дедушки"),
    (r"подруг[еи]\b", "подруге", "подруги"),
    (r"коллег[еам]", "коллегам", "коллег"),
    (r"ребёнк[уа]|ребенк[уа]|детям|малыш[уа]", "ребёнку", "ребёнка"),
    (r"сестр[еыу]\b", "сестре", "сестры"),
    (r"брат[уа]\b", "брату", "брата"),
)
_GIFT_RU = re.compile(r"подар|купил[аи]?\s|заказал[аи]?\s|брал[аи]?\s|\bдля\s", _F)

_RECIPIENTS_EN: tuple[tuple[str, str], ...] = (
    (r"granddaughter", "your granddaughter"),
    (r"grandson", "your grandson"),
    (r"daughter", "your daughter"),
    (r"\bson\b", "your son"),
    (r"husband", "your husband"),
    (r"\bwife\b", "your wife"),
    (r"\bmum\b|\bmom\b|mother", "your mum"),
    (r"\bdad\b|father", "your dad"),
    (r"\bgrandma|grandmother", "your grandmother"),
    (r"\bkids?\b|children|toddler", "the kids"),
    (r"girlfriend", "your girlfriend"),
    (r"boyfriend", "your boyfriend"),
    (r"\bfriend\b", "your friend"),
    (r"sister", "your sister"),
    (r"brother", "your brother"),
)
_GIFT_EN = re.compile(r"\bfor\s+my\b|\bgift\b|\bpresent\b|\bbought\s+(?:it|this|one)\s+for\b", _F)


def find_recipient(text: str, language: str) -> Detail | None:
    """Who the item was bought for: «внучке», "your daughter" (a gift or a purchase for)."""
    if language == "ru":
        if not _GIFT_RU.search(text):
            return None
        for pattern, dative, _genitive in _RECIPIENTS_RU:
            if re.search(r"(?<![а-яё])(?:" + pattern + ")", text, _F):
                return Detail("recipient", dative)
        return None
    if language == "en":
        if not _GIFT_EN.search(text) and not re.search(r"\bmy\s+\w+\s+loves?\b", text, _F):
            return None
        for pattern, phrase in _RECIPIENTS_EN:
            if re.search(pattern, text, _F):
                return Detail("recipient", phrase)
    return None


# --- what it is used for ---------------------------------------------------------------
#: (pattern, the use as it reads after «пригодится/выручает …»): «на даче», «в походах».
_USES_RU: tuple[tuple[str, str], ...] = (
    (r"на\s+дач[уеи]|для\s+дачи", "на даче"),
    (r"в\s+поход|для\s+поход", "в походах"),
    (r"на\s+рыбалк|для\s+рыбалк", "на рыбалке"),
    (r"в\s+школ[уе]|для\s+школы", "в школе"),
    (r"на\s+работ[уе]|для\s+работы|в\s+офис", "на работе"),
    (r"в\s+поездк|в\s+дорог[уе]|в\s+путешеств|для\s+поездок", "в поездках"),
    (r"на\s+мор[ею]|в\s+отпуск", "в отпуске"),
    (r"для\s+бега|на\s+пробежк|бегать", "на пробежках"),
    (r"в\s+зал\b|на\s+тренировк|для\s+тренировок|в\s+спортзал", "на тренировках"),
    (r"на\s+кухн|для\s+кухни", "на кухне"),
    (r"в\s+машин[уе]|в\s+авто\b|для\s+машины", "в машине"),
    (r"в\s+садик|в\s+детский\s+сад", "в садике"),
)
_USES_EN: tuple[tuple[str, str], ...] = (
    (r"\brunning\b|\bruns\b|jogging", "on your runs"),
    (r"\bhik(?:e|es|ing)\b|\bcamping\b|\btrail", "on the trail"),
    (r"\bgym\b|work-?outs?|training", "at the gym"),
    (r"\bschool\b", "at school"),
    (r"\bcommut|\bthe\s+office\b|\bat\s+work\b|for\s+work\b", "on the daily commute"),
    (r"\btravel|\btrips?\b|\bflights?\b|holiday|vacation", "on your travels"),
    (r"\bkitchen\b|\bcooking\b", "in the kitchen"),
    (r"\bgarden", "in the garden"),
    (r"\bcar\b", "in the car"),
)


def find_use(text: str, language: str) -> Detail | None:
    """What the buyer uses the item for, as the reply can say it: «на даче», "on the trail"."""
    table = _USES_RU if language == "ru" else _USES_EN if language == "en" else ()
    for pattern, phrase in table:
        if re.search(pattern, text, _F):
            return Detail("use", phrase)
    return None


def find_detail(text: str, language: str) -> Detail | None:
    """The one detail a reply echoes: who it was for first, else what it is for."""
    return find_recipient(text, language) or find_use(text, language)


# --- the complaint in the buyer's words --------------------------------------------------
_PROFANITY = re.compile(
    r"(?<![а-яё])(?:х[уy][йяеёию]|хрен|хер(?:ня|ов)|фигн|п[иеё]зд|[её]б[аеиуо]|бля|сук[аи]|муд[аои]|говн|дерьм|"
    r"гавн|жоп|сран|ублюд|урод|идиот|дебил|кретин|тупы|мошенн|обман|развод|кидал|вор\w*)|"
    r"\b(?:fuck|shit|crap|damn|bitch|scam|fraud|idiot|stupid|liar|thie[fv])",
    _F,
)
#: Words that would make us admit something by repeating them, or that speak about us.
_ADMISSION = re.compile(
    r"подделк|паль\b|палён|фальш|не\s+оригинал|копи[яю]|реплик|вы\s|вас\b|ваш|продав|магазин|"
    r"fake|counterfeit|knock-?off|replica|\byou\b|\byour\b|seller|shop|store|"
    # What the buyer says about our own silence is answered by a person, not repeated.
    r"не\s+отвеча|не\s+ответил|never\s+(?:answered|replied|responded)|no\s+(?:reply|answer)",
    _F,
)
_FIRST_PERSON = re.compile(
    r"(?<![а-яё])(?:я|мне|меня|мной|мы|нам|нас|наш\w*|него|неё|нее|нём|ней|ним|ними|них)"
    r"(?![а-яё])|\b(?:i|i'm|i've|i'd|me|we|us|our)\b",
    _F,
)
#: The buyer's own actions: «Жаль, что заказала…» would read as if about someone else.
_ACTION = re.compile(
    r"(?<![а-яё])(?:заказ(?:ал|ывал)\w*|купил\w*|брал\w*|взял\w*|получил\w*|ждал\w*)"
    r"(?![а-яё])|\b(?:ordered|bought|received|got|waited)\b",
    _F,
)
#: Possessives that turn from the buyer's voice into ours without changing the grammar.
_POSSESSIVES: dict[str, str] = {
    "мой": "ваш", "моя": "ваша", "моё": "ваше", "мое": "ваше", "мои": "ваши",
    "моего": "вашего", "моей": "вашей", "моих": "ваших", "моему": "вашему", "мою": "вашу",
    "моим": "вашим", "моём": "вашем", "моем": "вашем", "my": "your", "mine": "yours",
}  # fmt: skip
_POSSESSIVE = re.compile(r"(?<![\w])(" + "|".join(_POSSESSIVES) + r")(?![\w])", _F)
_CLAUSE_SPLIT = re.compile(
    r"[.!?;…\n]+|,\s*(?:но|а|и|однако|хотя|but|and|although)\s+|\s+(?:но|but)\s+", _F
)
_LEADING = re.compile(
    r"^(?:но|а|и|однако|хотя|только|правда|зато|к\s+сожалению|увы|жаль,?\s*что|минус:?|"
    r"(?:oh\s+)?(?:love|loving)\s+how|oh\s+\w+,?|just|обожаю,?\s+как|ну|вообще|просто|"
    r"недостатки?:?|из\s+минусов:?|but|and|however|sadly|unfortunately|"
    r"the\s+only\s+(?:thing|issue|downside)\s+is)(?![\w])\s*",
    _F,
)
ECHO_MAX = 64


#: The buyer's own action at the start of a clause, turned to "you" («ждала две недели» →
#: «вы ждали две недели», "ordered pink, got grey" → "you ordered pink and got grey").
_RU_ACTIONS = {
    "заказал": "заказали", "заказала": "заказали", "заказывал": "заказывали",
    "заказывала": "заказывали", "получил": "получили", "получила": "получили",
    "ждал": "ждали", "ждала": "ждали", "купил": "купили", "купила": "купили",
}  # fmt: skip
_EN_ACTIONS = re.compile(r"^(ordered|received|got|bought|waited)\b", _F)


def _second_person(text: str) -> str:
    first, _, rest = text.partition(" ")
    verb = _RU_ACTIONS.get(first.lower())
    if verb and rest:
        return f"вы {verb} {rest}"
    if _EN_ACTIONS.match(text):
        text = "you " + text[0].lower() + text[1:]
        return re.sub(r",\s*(got|received|came)\b", r" and \1", text, count=1)
    return text


def safe_echo(phrase: str) -> str | None:
    """The buyer's phrase, tidied, if it is safe to repeat in a public reply; else None."""
    text = " ".join(phrase.replace("«", " ").replace("»", " ").replace('"', " ").split())
    for _ in range(3):
        text = _LEADING.sub("", text).strip(" ,:-–—()")
    text = re.sub(r"[!?)(]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]", "", text).strip(" ,.:-–—")
    if not text or len(text) > ECHO_MAX:
        return None
    if len(text.split()) < 2 and not re.search(
        r"(?:оват[оаыйяе]?|[а-яё]{3}(?:ют|ят|ется|ится|ются|ятся|лся|лась|лось|лись))$", text, _F
    ):
        return None
    if _PROFANITY.search(text) or _ADMISSION.search(text):
        return None
    text = _POSSESSIVE.sub(lambda m: _POSSESSIVES[m.group(1).lower()], text)
    voiced = _second_person(text)
    if _FIRST_PERSON.search(voiced) or (voiced == text and _ACTION.search(text)):
        return None
    text = voiced
    if re.search(r"\d{5,}|@|https?:|www\.", text):
        return None
    if sum(1 for c in text if c.isupper()) > max(3, len(text) // 4):
        return None  # shouting
    head = text.split()[0]
    keep = len(head) > 1 and (head.isupper() or any(c.isupper() for c in head[1:]))
    return text if keep else text[0].lower() + text[1:]


def complaint_clause(text: str, aspect: Aspect) -> str | None:
    """The clause of `text` around a blamed aspect, in the buyer's words, if safe."""
    if aspect.clause:
        found = safe_echo(aspect.clause)
        if found:
            return found
    if not (0 <= aspect.start < aspect.end <= len(text)):
        return None
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        pieces.append((start, m.start()))
        start = m.end()
    pieces.append((start, len(text)))
    for lo, hi in pieces:
        if lo <= aspect.start < hi:
            return safe_echo(text[lo:hi])
    return None


def problem_clause(text: str, aspects: Sequence[Aspect], aspect_name: str) -> str | None:
    """The buyer's wording of the problem with `aspect_name` (first safe clause)."""
    for aspect in sorted(aspects, key=lambda a: a.start):
        if aspect.aspect == aspect_name and aspect.polarity is Sentiment.negative:
            found = complaint_clause(text, aspect)
            if found:
                return found
    return None


#: A blamed aspect guessed from the complaint's own words, when the classifier gave none;
#: most severe first, like `shared.aspects.ASPECTS`.
_ASPECT_WORDS: tuple[tuple[str, str], ...] = (
    (
        "counterfeit",
        r"подделк|(?<![а-яё])пал[ьёе](?:ный|ная|ное|ёнка)?(?![а-яё])|не\s+оригинал|оригинал\w*\?|fake|counterfeit|knock-?off|genuine\?|"
        r"is\s+(?:this|it)\s+(?:even\s+)?(?:genuine|original|real|authentic)",
    ),
    (
        "wrong_item",
        r"ordered\s+.{1,30}\b(?:got|received)|не\s+того\s+(?:цвета|размера)|заказ(?:ал|ывал)\w*\s+.{1,30}(?:пришёл|пришла|пришло|прислали)|не\s+тот|не\s+та\b|другой\s+(?!цвет)\w+|вообще\s+друг|прислали\s+не|пришл\w*\s+на\s+\d+|wrong\s+(?:item|model|size)",
    ),
    (
        "not_working",
        r"не\s+работа|перестал|не\s+включа|не\s+заряжа|вырубает|сгорел|не\s+греет|doesn'?t\s+work|stopped\s+\w+ing|won'?t\s+(?:turn|charge)|dead",
    ),
    (
        "missing_parts",
        r"\bno\s+\w+\s+in\s+the\s+box|only\s+\d+\s+\w+|только\s+\d+|\d+\s+\w+\s+вместо\s+\d+|не\s+хватал|не\s+было\s+в|нет\s+в\s+(?:комплект|коробк|набор)|в\s+коробке\s+не|вместо\s+\d+|missing|wasn'?t\s+in\s+the\s+box",
    ),
    (
        "transit_damage",
        r"помят|разбит|разбил\w*\s+(?:в\s+дороге|при\s+доставке)|в\s+дороге|при\s+доставке|раздавл|рван\w*\s+пакет|пришл\w*\s+(?:сломан|поврежд|треснут)|damaged|dented|crushed|arrived\s+(?:broken|cracked)",
    ),
    ("leak", r"протека|протёк|протек|теч[её]т|подтека|\bleak"),
    (
        "compatibility",
        r"не\s+подходит(?!\s+по\s+размеру)|не\s+подош\w+(?!\s+по\s+размеру)|не\s+подходит\s+к|не\s+вста[её]т|не\s+подош\w+\s+(?:к|на)|совместим|doesn'?t\s+fit\s+(?:my|the)\s+(?:phone|car|device)|compatib",
    ),
    ("colour_mismatch", r"цвет|оттен|colou?r|shade"),
    (
        "description_mismatch",
        r"заявлен|описани|не\s+соответств|в\s+описании|listing|description|advertised|claimed",
    ),
    ("shrinkage", r"сел[аои]?\s+после|после\s+стирки|растянул|shrank|shrunk|after\s+(?:a\s+)?wash"),
    (
        "size_fit",
        r"маломер|большемер|размер|мал[аоы]?\b|велик[аио]?\b|size|too\s+(?:small|big|tight)|runs\s+(?:small|large)",
    ),
    ("smell_material", r"запах|пахн|пах\b|воня|smell|stink"),
    ("noise", r"шум|гуд|скрип|громк|noisy|\bloud\b|squeak|rattl"),
    (
        "defect",
        r"брак|дефект|трещин|треснул|порвал|дырк|отвалил|оторвал|отклеил|разош|слетел|торчат|пятн|облез|катышк|defect|faulty|crack|torn|ripped|fell\s+(?:off|apart)|pops?\s+out|snags|pills|broke",
    ),
    (
        "delivery_speed",
        r"ждал\w*\s+.{0,25}(?:недел|дн[еяь])|вместо\s+(?:обещанных\s+)?\w+\s+дн|"
        r"доставк|опоздал|позже\s+обещ|дольше\s+обещ|задерж|вез\w*\s+\d+|\blate\b|later\s+than|delayed|took\s+(?:ages|weeks)",
    ),
    ("packaging", r"упаковк|коробк|пакет|packaging|\bbox\b"),
    ("instructions_language", r"инструкц|иероглиф|китайск|manual|instructions"),
    (
        "price",
        r"(?<![а-яё])(?:дорог(?:о|ова\w*|оват\w*|ой|ая|ие)(?![а-яё])|цен[аеуы])|price|pricey|expensive",
    ),
    ("quality", r"качеств|хлипк|quality|flimsy|cheap"),
)


def guess_aspect(phrase: str) -> str | None:
    """The aspect a complaint's own words point to, or None."""
    for name, pattern in _ASPECT_WORDS:
        if re.search(pattern, phrase, _F):
            return name
    return None


_PRAISE_WORDS = re.compile(
    r"удобн|мягк|т[её]пл|горяч|быстр|красив|качествен|держит|отличн|прекрасн|лёгк|легк|"
    r"приятн|аккуратн|надёжн|надежн|крепк|ровн|шикарн|прочн|вместительн|тих|"
    r"держит|сидит|греет|вмещает|влезает|ловит|моются|защищает|заряжается|служит|"
    r"comfortable|soft|warm|hot|fast|quick|beautiful|sturdy|light|quiet|roomy|lasts|"
    r"holds|keeps|fits|works|dries|great|perfect|lovely|catches|stays|huge|spacious|cosy|"
    r"cozy|fluffy|thick|bright|clear|rinse",
    _F,
)
_INTENSIFIER = re.compile(
    r"^(?:очень|такой|такая|такое|такие|самый|самая|просто|довольно|достаточно|весьма|"
    r"реально|прям|говорит|говорят|пишет|сказал\w*|very|really|so|quite|says|said)\b",
    _F,
)
_ADJECTIVE_FIRST = re.compile(r"^[а-яё]+(?:ый|ий|ой|ая|яя|ое|ее|ые|ие)\b", _F)
_NEGATIVE_WORDS = re.compile(
    r"(?<![а-яё])не(?![а-яё])|\bnot\b|n't|\bno\b|но\b|\bbut\b|жаль|минус", _F
)


def praise_echo(text: str, language: str) -> str | None:
    """What the buyer praised, as a clause the reply can repeat («чай горячий до вечера»).

    Only clauses that start with their subject (not with an adjective: «отличный фен» is
    no clause) and hold no "not"/"but": a reply must not echo half a complaint.
    """
    for sentence in re.split(r"(?<=[.!?…])\s+|\n+", text):
        if sentence.strip().endswith("?"):
            continue
        for piece in re.split(r"[,;:—–]\s*|\s+(?:и|а|and)\s+(?=[а-яёa-z]+\s)", sentence):
            piece = piece.strip(" .!")
            if not _PRAISE_WORDS.search(piece) or _NEGATIVE_WORDS.search(piece):
                continue
            echo = safe_echo(piece)
            if not echo or len(echo.split()) < 2 or len(echo) > 56:
                continue
            if (
                language == "ru"
                and not _ADJECTIVE_FIRST.match(echo)
                and not _INTENSIFIER.match(echo)
            ):
                return echo
            if language == "en" and re.match(
                r"^(?:it|they|the|your|this|these)\s+(?:[\w-]+\s+){0,2}?"
                r"(?:[\w-]+s|is|are|was|were|keeps|holds|fits|works|dries|lasts)\b",
                echo,
                _F,
            ):
                return echo
    return None
