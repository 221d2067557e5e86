"""Which reply a review needs: the family, from the stars first and the text second.

The stars are what the buyer chose, so they pick the family (routing by stars alone was
right in 44 of 50 real reviews; letting the text win on a contradiction in 36). The text
adds what the stars cannot say: a remark under 4–5★ (thank, then acknowledge it), a slip
under 1–2★ (a clearly happy text: thank, and gently mention the star), sarcasm (praise
words used as a complaint). The sentiment service sends these as signals; the cue checks
here are a backstop for events without them (schema v1) and never override a signal.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.events import Classification, Mention, MentionKind, Sentiment

FAMILIES: tuple[str, ...] = (
    "positive",
    "positive_remark",
    "neutral",
    "negative",
    "rating_slip",
    "question",
    "follow_up",
)
#: Families whose reply answers a complaint: no adverts, no cheery sign-offs.
COMPLAINT_FAMILIES: frozenset[str] = frozenset({"negative", "neutral", "positive_remark"})

_FLAGS = re.IGNORECASE | re.UNICODE

#: Words that say something went wrong (ru, en). A cue right after a negator («не
#: протекает», "doesn't leak") is praise, not a complaint; cues that carry their own «не»
#: («не работает») are matched whole.
#: Where a buyer uses the item, not what it does: "blocks out a noisy bus" praises it.
NOISY_PLACES = (
    r"(?:bus|train|tube|subway|plane|flight|street|road|room|office|open-plan|place|places|"
    r"environments?|restaurants?|cafe|gym|city|areas?|background|crowds?|kids|neighbou?rs?|"
    r"house|household|commute|concerts?|bars?)\b"
)
#: Someone was hurt: a cut, a burn, a scald («порезалась», "cut my finger"). A complaint,
#: and the draft asks after the person first ("hurt my feet" is a tight shoe, not this).
HURT_WORDS = (
    r"(?<![а-яё])(?:порезал\w*|поранил\w*|травмир\w*|обж[её]г(?:ся|ла|лась|лись|ли)?|обожгл\w*|"
    r"ошпарил\w*|ушиб\w*)(?![а-яё])|\b(?:cut|burn(?:ed|t)|scald(?:ed)?|injured)\s+"
    r"(?:my|myself|your|yourself|his|her|him|their|our)\b(?!\s+(?:\w+\s+)?(?:out|free|loose)\b)"
    r"(?!\s+(?:\w+\s+)?(?:house|home|kitchen|flat|apartment|place|car|garage|food|toast|dinner|"
    r"counter|table|carpet|floor|wall|outlet|socket)\b)|\bgot\s+(?:hurt|burn(?:ed|t)|cut)\b|"
    # "went face first into the pavement. Split lip and a chipped tooth"
    r"\b(?:split\s+(?:\w+\s+)?lip|chipped\s+(?:\w+\s+)?tooth|broke\s+(?:my|his|her|their)\s+"
    r"(?:arm|wrist|leg|nose|ankle|finger|tooth)|needed\s+stitches|face\s+first\s+into)\b|"
    r"(?<![а-яё])(?:разбил\w*\s+(?:губу|нос|лоб|коленк\w*|колен\w*)|сломал\w*\s+(?:руку|ногу|зуб)|"
    r"накладывали\s+швы)"
)
_COMPLAINT = re.compile(
    # «шея перестала болеть» is praise: what stopped was the trouble
    r"(?<!багажнике\s)(?<!салоне\s)не\s+(?:едет|поехал\w*)|пульт\s+не\s+видит|неполн\w*\s+(?:комплект|набор)|(?:комплект|набор)\s+неполн|"
    r"не\s+работа|перестал[аио]?\s+(?!болеть|беспокоить|ныть|мучить|чесаться|сыпать)\w+|не\s+включа|не\s+заряжа|(?<!сам\s)(?<!сама\s)(?<!само\s)(?<!почти\s)не\s+греет(?!ся)|(?:утюг|обогреватель|чайник|плита|плойка|грелка|батаре\w+|пол|бойлер)\s+не\s+греется|не\s+держ|"
    # («глаза сломали», reading small print, is eye strain, not a broken item)
    r"(?<!глаза\s)(?:сломал|слома[нл])(?!\w*\s+(?:все\s+|себе\s+)?глаза)|\bбрак|бракован|дефект|трещин|треснул|порвал|порван|рван|дырк|"
    r"\blonger\s+than\s+(?:stated|promised|expected|quoted|advertised)\b|"
    r"отвалил|оторвал|отклеил|отклеива|отслаива|облеза|покрытие\s+(?:\w+\s+)?(?:полезл|лезет|слезл|слезает|сош[её]л|сходит|шелуш)|"
    r"прослужил\w*\s+(?:целых|аж|всего)\s+|разош[её]л|разошл|слетел|сгорел(?![а-яё]*\s+(?:от|со)\s+стыда)|"
    r"вырубает|перегрева|искрит|"
    r"не\s+подош|не\s+подходит|не\s+встаёт|не\s+встает|не\s+соответств|не\s+совпада|"
    r"маломер|большемер|воня|затека|\bnever\s+(?:received|arrived|came|got)\b|\btips\s+(?:over|if)\b|"
    r"(?<![а-яё])не\s+(?:получил[аи]?|пришл[аои]|дошл[аои]|дош[её]л)(?![а-яё])|"
    # «запах приятный», «нежный запах» are praise: a smell is a complaint on its own only
    r"(?<!приятный\s)(?<!нежный\s)(?<!легкий\s)(?<!лёгкий\s)(?<!чудный\s)"
    r"запах(?!\w*\s+(?:\w+\s+)?(?:нет\b|приятн|нежн|легк|лёгк|отличн|классн|шикарн|сказк|"
    r"чудесн|обалденн|божествен|ненавязчив|супер|огонь|прекрасн))|"
    # «пахнет летом», «пахнет приятно»: a pleasant smell is praise
    r"(?<![а-яё])пах(?:л|н|у)[а-яё]*(?![а-яё])(?!\s+(?:[а-яё]+\s+)?(?:летом|свежест\w*|приятн\w*|вкусн\w*|мёдом|медом|"
    r"ванил\w*|клубник\w*|фрукт\w*|цитрус\w*|лаванд\w*|морем|детством|шоколад\w*|кофе|"
    r"трав\w*|цвет\w*|чистот\w*|домом|праздник\w*|нежн\w*|божественн\w*|изумительн\w*|"
    r"волшебн\w*|потрясающ\w*|замечательн\w*|отличн\w*|чудесн\w*|хорошо|классно|супер)(?![а-яё]))|"
    r"протека|протёк|протек|теч[её]т|течь|засох|высох|вытек|\bsnag(?:ged|s)?\b|прилип|пригора|пригорел|"
    r"\bdisconnect(?:s|ed|ing)?\b|\bkeeps\s+(?:dropping|cutting|disconnecting)|вывалива|"
    r"\b(?:shift|shifts|shifted|bunch|bunches|bunched|clump|clumps|clumped)\s+(?:up|together|to\s+one\s+side)\b|"
    r"оказал\w*\s+(?:клеёнк|клеенк|пластик|пластмасс|кожзам|синтетик|картон|бумаг|подделк)|"
    r"where\s+is\s+my\s+(?:order|parcel|package)|трек\s+не\s+(?:обновл|меня|двига)|"
    r"tracking\s+(?:hasn'?t|has\s+not|isn'?t|not|doesn'?t|didn'?t)\s+(?:been\s+)?"
    r"(?:updated|update|moved|moving|changed)|"
    r"подтека|промок|(?:ноги|носки|обувь|ботинки|вещи)\s+(?:\w+\s+)?мокр|скрип|гуд[иь]т|шумит(?!\s+(?:очень\s+)?(?:тихо|негромко|еле|в\s+меру|терпимо|умеренно|нормально))|шумн|"
    # («громкость регулируется» is a feature the buyer likes)
    r"(?<![а-яё])громк(?!ост\w*\s+(?:\w+\s+)?(?:регулир|настра|можно|меня|убав|уменьш|прибав))|\bbuzz|\brattl|\bsqueak|\bwhin(?:e|es|ing)\b|\bhum(?:s|ming)\b|"
    r"clicking\s+(?:sound|noise)|"
    r"пришл[аио]?\s+не\s+т|прислали\s+не|не\s+тот|не\s+та\b|не\s+то\b|другой\s+цвет|"
    r"вообще\s+друг|заказ(?:ал|ывал)\w*\s+[^.]{1,30}(?:пришёл|пришла|пришло|пришли|прислали)(?!\s+как\s+на)"
    # «заказывала в понедельник, пришло в среду»: when it came, not what
    r"(?!\s+(?:в\s+(?:понедельник|среду|четверг|пятницу|субботу|воскресенье|срок)|во\s+вторник|"
    r"через|за\s+\d|на\s+(?:следующий|другой|\d)|уже|быстро|вовремя|рано|раньше|сегодня|завтра|"
    r"вчера|утром|вечером|дн[её]м|\d+\s+(?:дн|час)))|"
    r"ordered\s+[^.]{1,30}\b(?:got|received|came)\b(?!\s+(?:it|them|this|these|mine|my\s+\w+|in|on|within|"
    r"after|by|today|yesterday|quickly|fast|early|promptly|the\s+(?:same|next|following|parcel|package|order))\b)|не\s+хватал|в\s+коробке\s+не\s+было|в\s+коробке\s+нет|\d+\s+\w+\s+вместо|"
    r"\bno\s+\w+\s+in\s+the\s+box|only\s+(?![\d\s/.,]+(?:years?|months?|weeks?|days?)\s+old\b)\d+\s+\w+|instead\s+of|не\s+было\s+в|нет\s+в\s+комплект|отсутств|вместо\s+\d|"
    r"помят|разбит|поврежд|раздавл|опоздал|позже\s+обещ|дольше\s+обещ|задерж|долго\s+вез|"
    r"долго\s+ш[её]л|вместо\s+обещанн|сел[аои]?\s+после|сел[аи]?\s+на|полинял|линя|"
    r"растянул|выцвел|облез|катышк|пятн|торчат|заеда|желте|пожелтел|щиплет|жж[её]т|"
    r"подделк|паль[её]?\b|не\s+оригинал|разочаров|ужас|кошмар|отврат|верните\s+деньги|"
    r"только\s+на\s+китайском|без\s+русской|иероглиф|непонятн|не\s+как\s+на\s+фото|"
    r"не\s+влеза|не\s+помеща|не\s+справляет|не\s+может|протёр|протер|зависа|вылета|"
    r"глючит|кривые|кривой\s+шов|неровн|царапин|царапа(?:ет|ют|ется|ются)|накип|развалива|"
    r"не\s+магнит|в\s+слезах|\bsnapped\b|\bunusable\b|fell\s+apart|falls\s+apart|дешёвк|скатыва|высыпа|аллерги|\bсыпь|"
    r"покраснени|раздражени|\bзуд|ожида\w*\s+(?:большего|лучш)|продува|не\s+год[иеяю]|"
    r"шата|болта[ею]тся|эффекта?\s+(?:не|нет|ноль)|не\s+замети\w*\s+(?:эффект|разниц)|"
    r"wobbl|\bfailed\b|\bsinks\b|no\s+(?:visible\s+|real\s+|noticeable\s+)?(?:effect|difference|results?|change)|(?:didn'?t|did\s+not|haven'?t|have\s+not)\s+(?:notice|see)\s+(?:any|a)\s+(?:\w+\s+)?(?:difference|change|brightening|improvement|effect|results?)|\bdies\b|\bdied\b|"
    r"натира|натёр|натер(?:ла|ли)|мозол|blister|chaf|\brubs\b|покраснел|чеша?тся|"
    r"неравномерн|\buneven|потемнел|tarnish|double[\s-]click|даблклик|двойн\w+\s+клик|"
    r"not\s+(?:\w+\s+){0,3}as\s+(?:advertised|described|promised|stated|claimed)|"
    r"arrived\s+with\s+a\s+(?:\w+\s+)?(?:chip|crack|dent|scratch)|"
    r"flak(?:e|es|ed|ing)\b|peel(?:s|ed|ing)\b|loosen|comes?\s+loose|spark(?:s|ed|ing)?\b|искрит|"
    r"is\s+(?:garbage|junk|trash|rubbish)|"
    r"задым|дымит|(?<![а-яё])дым(?![а-яё])|(?<![а-яё])(?:за|по)?горел\w*|оплав|плавит|отваливает|отключает|"
    r"теря\w*\s+(?:связь|соединени|сигнал)|пропада\w*\s+(?:звук|связь|сигнал)|"
    r"smok(?:e|ed|ing)\b|burn(?:t|ed|ing)?\b|melt|connection\s+drops|drops?\s+(?:out|the\s+connection)|"
    r"disconnect|cut(?:s|ting)?\s+out|"
    r"\b(?:los(?:es|ing|t)|drop(?:s|ping)?)\s+(?:the\s+|its\s+|my\s+)?(?:wi-?fi|connection|signal|bluetooth)\b|keeps\s+(?:disconnecting|dropping|crashing|restarting)|"
    r"logs?\s+(?:me\s+)?out|logging\s+(?:me\s+)?out|"
    r"chipp|peeling|flaking|\brash|allergic|irritat|breakouts?\b|expected\s+(?:better|more)|"
    r"nothing\s+like\s+the\s+photo|can'?t\s+even|crash|freez|glitch|\bbug|worn\s+through|"
    r"wore\s+through|\bholes?\b|feels\s+cheap|cheaply\s+made|uneven|scratched|"
    r"doesn'?t\s+work|does\s+not\s+work|\bstretch(?:ed|es)?\s+out\b|\bbagg(?:ed|ing)\s+out\b|\bcorrupt(?:s|ed|ing)?\b|\bstuck\s+(?:on|at|in|shut|open)\b|\bkeeps\s+(?:saying|showing|beeping|flashing|turning\s+off|shutting\s+off|restarting|rebooting|falling)\b|\b(?:won'?t|doesn'?t|does\s+not|will\s+not|wouldn'?t)\s+(?:retract|close|open|lock|latch|stay|hold|connect|pair|sync|load|boot|start|respond|register|read|recogni[sz]e|detect|heat|cool|spin|drain|seal|zip)\b|\bthen\s+(?:it|they)\s+(?:just\s+)?(?:stopped|quit|died)\b|\bnothing\s+(?:is|was)\s+working\b|stopped\s+(?!hurting|aching|itching|snoring|bothering)\w+ing|won'?t\s+(?:turn|charge|work|stay)|"
    r"\bbroke|\bbroken|defect|faulty|crack|\btorn|ripped|(?:fell|falls?|falling)\s+(?:off|apart)|"
    # it hurt someone: «порезалась об неё», "cut my finger on it"
    + HURT_WORDS
    + r"|"
    r"(?<![а-яё])сдох\w*|(?<![а-яё])(?:по)?царапа\w*|\bruined\b|\bunevenly\b|\bburns\s+(?:everything|the|food)\b|"
    r"(?<![а-яё])(?:мошкар|жучк|личинк|червяк|черви\b|таракан)\w*|\b(?:bugs|insects|weevils|maggots|larvae)\b|"
    r"\b(?:began|started)\s+to\s+pill\b|\bjam(?:med|s|ming)\b|\bpucker\w*|\bbubbled\b|\bunrav\w*|\bfray(?:ed|ing|s)\b|\bcame\s+undone\b|"
    r"\b(?:were|was|is|are)\s+(?:so\s+|very\s+|really\s+)?rude\b|\brolled\s+(?:her|his|their)\s+eyes\b|"
    r"\bgigantic\b|\bhuge\s+on\s+me\b|\bswimming\s+in\s+it\b|\bnot\s+accurate\b|\bhalf[\s-]+empty\b|наполовину\s+пуст\w*|\bcaught\s+fire\b|\bburst\s+into\s+flames\b|(?<![а-яё])(?:воспламенил|вспыхнул)\w*|\b(?:it|they)\s+(?:just\s+)?quit\b|"
    r"\bstops?\s+(?:transferring|copying|syncing|saving|recording|responding)\b|"
    r"\b(?:won'?t|will\s+not)\s+accept\b|"
    r"\bonly\s+(?:worked|lasted|works|lasts)\s+(?:for\s+)?(?:about\s+)?(?:a\s+few|\d+|one|two|three|a)\s+\w+|"
    r"(?:specks?|flakes?|shavings|bits|pieces)\s+of\s+metal|metal\s+(?:specks?|flakes?|shavings)|"
    r"(?<![а-яё])(?:сам\s+)?разряжа\w*|(?<![а-яё])тупы[еой]\w*|"
    r"(?<!easy\sto\s)pops?\s+out|popped\s+out|(?:came|coming|comes)\s+(?:off|apart|loose)|\brust(?:y|ed|s)?\b|ржав|smell(?!\w*\s+(?:(?:a\s+bit|slightly|faintly|so|really|very|lightly)\s+)?(?:like\s+|of\s+)?(?:oranges?|citrus|lemons?|lavender|vanilla|flowers?|roses?|fresh|amazing|great|nice|lovely|good|wonderful|divine|heavenly|coconut|berr\w*|strawberr\w*|chocolate|coffee|mint|clean|delicious|gorgeous|beautiful)\b)|stinks|\bleak|"
    r"squeak|rattl|noisy(?!\s+"
    + NOISY_PLACES
    + r")|\bloud\b(?!\s+"
    + NOISY_PLACES
    + r")|wrong\s+(?:item|size|colou?r|model)|missing|damaged|dented|"
    r"crushed(?!\s+(?:ice|nuts|garlic))|(?<!work\s)(?<!stay\s)(?<!up\s)\blate\b(?!\s+(?:at\s+)?night)|later\s+than|delayed|took\s+(?:ages|forever|weeks)|shrank|shrunk|"
    r"faded|\bfake|counterfeit|knock-?off|disappoint|terrible|awful|doesn'?t\s+fit|"
    r"does\s+not\s+fit|too\s+(?:small|big|tight|loose)|runs\s+(?:small|large)|snags|pills|"
    r"stains?|soaked|no\s+english|absolutely\s+nothing|does\s+nothing|"
    # a refund asked for or waited on; "refund came fast" thanks for one
    r"refund(?!\w*\s+(?:came|arrived|was\s+(?:quick|fast|processed)|went\s+through|"
    r"in\s+(?:a\s+day|two\s+days|hours)))|"
    r"more\s+\w+\s+than\s+the\s+\w+\s+in\s+the\s+photo|than\s+(?:in\s+)?the\s+photos?",
    _FLAGS,
)
#: Milder words that make a remark under 4–5★ after a "but" («дороговато», "a bit loud").
_MILD = re.compile(
    r"[а-яё]+оват[оаыйяе]?(?![а-яё])|(?:^|[.!?]\s+)(?:но|but)\s|немного\s+\w+ется|"
    r"would(?:'ve|\s+have)\s+(?:loved|liked)|в\s+целом\s+доволь|overall\s+(?:happy|pleased|satisfied)|"
    # «аккумулятора хватает минут на 15», "the battery only lasts 20 minutes"
    # «тепло держит часов шесть, не больше», "holds heat 6 hours at most": a limit
    r"(?<![а-яё])(?:не\s+больше|не\s+дольше|от\s+силы)(?![а-яё])|\b\d+\s+\w+\s+(?:at\s+most|tops)\b|"
    r"хватает\s+(?:\w+\s+){0,2}?на\s+\d+|(?:battery|charge)\s+(?:only|just|barely)\s+lasts?\s+(?:about\s+)?\d+\s+min|"
    r"(?:battery|charge)\s+lasts?\s+(?:only|just|barely)\s+(?:about\s+)?\d+\s+min|"
    r"(?:вс[её]|all)\s+(?:отличн|хорош|супер|класс|great|good|fine|perfect)\w*,?\s+(?:только|но|кроме|just|but|except)\s|"
    r"чуть\s+\w+ется|слегка\s+\w+|would\s+love|wish\s+it|дороговат|маловат|великоват|тонковат|жестковат|коротковат|тяжеловат|туговат|"
    r"слабоват|слабее|скользк|мн[её]тся|колется|неудобн|медленн|сложно|не\s+хватает|"
    r"хотелось\s+бы|единственн\w+\s+минус|(?<![а-яё])одно\s+но(?![а-яё])|из\s+минусов|минус(?!\s*\d)\b|минусы|жаль(?!,?\s+что\s+(?:я\s+)?(?:раньше|давно|не\s+(?:купил|заказал|взял)\w*\s+(?:\w+\s+)?раньше))|в\s+жизни\s+скорее|"
    r"(?<!even\s)\bthough\b|\bpricey|a\s+bit\s+\w+|slightly|(?:only|one|minor|main|biggest|small)\s+(?:downside|issue|thing|gripe|complaint|niggle|quibble|con)\b|"
    r"\bmushy\b|attracts?\s+(?:lint|dust|hair|fluff)|(?:lint|dust|fingerprint)\s+magnet|"
    # "the armholes are cut very low", "a bit see-through", «просвечивает»
    r"\bcut\s+(?:very\s+|too\s+|quite\s+|really\s+)?low\b|\bsee[- ]through\b|\bsheer\b|"
    # "However, the sleeves are rather long", "so large it falls over my eyes"
    r"(?:^|[.!?]\s+)however,?\s|\b(?:rather|somewhat|a\s+little)\s+(?:long|short|big|large|small|tight|"
    r"loose|heavy|thin|stiff|narrow|wide)\b|\bso\s+(?:large|big|long|small|tight)\s+(?:that\s+)?it\b|"
    r"could\s+(?:be|have\s+been)\s+better|мог\w*\s+бы\s+быть\s+лучше|"
    r"(?:only|one|my|minor)\s+(?:gripe|complaint|con|niggle|quibble|knock|downside|issue)|"
    r"\b(?:is|are|was|were|feels?|seems?|bit|way|little)\s+too\s+(?!much\b|good\b|many\b)\w+|"
    r"слишком\s+(?!хорош|много\b)[а-яё]+|чересчур|"
    r"\bwish\b(?!\s+(?:i|we)(?:'d|\s+had|\s+would\s+have|)\s+(?:\w+\s+)?(?:bought|ordered|found|got|"
    r"gotten|discovered|purchased|tried|known))|stiff|flimsy|\bthin\b|tight|slow(?!\s*-?\s*cook)|fiddly|hard\s+to|yellow|"
    r"\ba\s+little\s+(?:too\s+)?\w+(?:y|ish)\b|"
    # "there are no buttons for volume": a missing feature (not "there were no problems")
    r"\bthere\s+(?:are|is|were|was)\s+no\s+(?!problems?\b|issues?\b|complaints?\b|faults?\b|"
    r"defects?\b|flaws?\b|leaks?\b|smell\b|odou?r\b|scratch\w*|damage\b|marks?\b|stains?\b|"
    r"holes?\b|cons\b|negatives?\b|downsides?\b|surprises?\b|regrets?\b|worries\b|doubts?\b|"
    r"reason\b|need\b|question\b|comparison\b|contest\b|going\s+back\b)\w+|\black(?:s|ing)\b|"
    # "the setup was really complicated", «настройка муторная»
    r"\bcomplicated\b|\bconfusing\b|\bcumbersome\b|муторн|запутанн|\bdislike\b|"
    # "Took a star off because it came vacuum packed": the reason is the remark
    r"\b(?:took|knocked|taking|knocking)\s+(?:a|one|1)\s+star\s+off\b|\bminus\s+(?:a|one)\s+star\b|"
    r"\bone\s+star\s+off\b|"
    # «запах на любителя»: not everyone's taste
    r"на\s+любителя|"
    r"(?:еле|едва)\s+хват|barely\s+last|"
    # a humidifier's «белый налёт на мебели», "leaves a white residue"
    r"(?<![а-яё])нал[её]т|\bresidue\b|\bwhite\s+(?:dust|film)\b|"
    # mascara or powder that crumbles by evening («к вечеру осыпается»)
    r"(?<![а-яё])осыпа\w*|\bcrumbles?\b|\bflakes?\s+(?:off|under)\b|"
    # a towel that is «жёсткое после стирки», «ворс лезет»
    r"(?<![а-яё])ж[её]стк(?:ое|ий|ая|ие|им|ой)\s+после|ворс\s+(?:\w+\s+)?(?:лезет|сыплется|выпадает)|"
    r"(?:лезет|сыплется)\s+ворс",
    _FLAGS,
)
_NEGATOR = re.compile(
    r"(?:(?<![а-яё])(?:не|ни|без|нет)|\b(?:not|no|never|without|doesn'?t|don'?t|didn'?t|"
    r"isn'?t|wasn'?t|won'?t|hasn'?t|haven'?t|hadn'?t|can'?t|couldn'?t|aren'?t|weren'?t))\s+"
    r"(?:\w+\s+)?$",
    _FLAGS,
)
_NEGATED_AFTER = re.compile(
    r"\w*\s+(?:совсем\s+|вообще\s+|почти\s+|никак\w*\s+|практически\s+)?(?:нет|не\s+было|не\s+чувству|none)\b",
    _FLAGS,
)
_PRAISE = re.compile(
    r"спасибо|благодар|отличн|супер|класс|прекрасн|замечательн|шикарн|мечты|молодц|браво|"
    r"рекоменд|доволь|понравил|нравится|восторг|люблю|идеальн|лучш|хорош|удобн|мягк|"
    r"уютн|красив|качествен|советую|в\s+восторге|"
    r"thank|great|excellent|love|perfect|amazing|awesome|recommend|happy|pleased|brilliant|"
    r"(?:would|will|'d)\s+(?:definitely\s+)?buy\s+(?:it\s+|this\s+|them\s+)?again|"
    r"lovely|comfortable|\bsoft\b|well\s+made|lasts|decent|works\s+(?:great|well|fine)|"
    r"does\s+(?:the|its)\s+job|gets\s+the\s+job\s+done|does\s+what\s+it\s+says|"
    # "after reading good reviews" praises someone else's words
    r"\bgood\b(?!\s+(?:reviews?|ratings?|luck|price\s+(?:but|though)))|"
    r"\beasy\s+to\b|\bnice\b|\bsturdy\b",
    _FLAGS,
)
#: Irony: praise that the rest of the sentence takes back.
_IRONY = re.compile(
    r"ну\s+спасибо|удружил|подар\w+\s+мечты|вот\s+это\s+сервис|браво|"
    r"это\s+(?:вообще|просто)\s+прекрасно|прям\)|спасибо\s+(?:огромное|большое)?\s*за\s+(?:брак|подделк)|"
    r"thanks\s+for\s+nothing|thanks\s+a\s+lot\.|great\s+job|just\s+great|yeah,?\s+right|"
    r"just\s+what\s+you\s+want|love\s+how|what\s+a\s+(?:gift|bargain)",
    _FLAGS,
)
#: Weaker irony: only under 1–3★ does it tip praise words into sarcasm.
_IRONY_WEAK = re.compile(
    r"👍|👌|🤡|🙃|😂|🤦|👏|\)\)|отдельное\s+спасибо|очень\s+качественно|[«\"][^«»\"]{3,30}[»\"]",
    _FLAGS,
)
#: The buyer says the stars rate something other than the item (delivery, the seller).
#: A fault the seller already put right («прислали замену», "sent a replacement right
#: away"): under 4–5★ the review praises the service, it holds no remark to answer.
_RESOLVED = re.compile(
    r"(?:sent|send|shipped)\s+(?:me\s+)?(?:a\s+)?(?:replacement|new\s+one)|replaced\s+(?:it|them)|"
    r"(?:прислали|отправили|выслали)\s+(?:\w+\s+)?(?:замену|новы\w+)|быстро\s+(?:заменили|решили)|"
    r"(?:вернули|возместили)\s+деньги|"
    r"(?:продавец|магазин|поддержка|менеджер|консультант|оператор|сотрудни\w+)\s+(?:\w+\s+){0,2}"
    r"(?:заменил\w*|вернул\w*|решил\w*|помог\w*)|оформил\w*\s+(?:\w+\s+)?замену|"
    r"\b(?:customer\s+service|support|the\s+seller|[A-Z][a-z]+\s+from\s+customer\s+service)\s+(?:\w+\s+){0,2}"
    r"(?:sorted|fixed|resolved|replaced|refunded)\b|"
    # «мне прислали пошаговую инструкцию, всё заработало»
    r"вс[её]\s+заработал\w*|(?:теперь|сразу)\s+(?:всё\s+|все\s+)?работает|"
    r"\b(?:now\s+it\s+works|works\s+(?:fine|perfectly|great)\s+now|seller\s+helped)\b|"
    r"(?<![а-яё])заменили(?![а-яё])|\bseller\s+(?:\w+\s+){0,2}(?:replaced|refunded|sorted|fixed)|"
    r"\bgot\s+a\s+(?:replacement|refund)|"
    # "Seller sent them within 3 days after I messaged", «продавец дослал»
    r"\bseller\s+sent\s+(?:them|it|the\s+\w+|me\s+(?:the|a|new)\b)|(?:продавец|магазин)\s+(?:\w+\s+)?дослал|"
    r"(?:дослали|довезли)\s+(?:\w+\s+)?(?:недостающ|детал|комплект)",
    _FLAGS,
)
#: The buyer came back to update the review («UPD:», «Исправляю на 4», "Edit:").
UPDATE = re.compile(
    # ("customer service kept me updated." is no update of the review)
    r"(?<!\bme)(?<!\bus)(?<!\bkept)(?<!\bbeen)(?:^|\s|\W)(?:upd|update|updated|edit|апд|обновлени[ея]|дополнение)\s*[:.!\-–—)]|"
    r"исправляю\s+(?:оценку\s+)?на|меняю\s+оценку|changing\s+(?:it\s+|my\s+rating\s+)?to\s+\d|"
    r"(?<![а-яё])обновляю\s+отзыв|\bupdating\s+(?:my\s+)?review\b|"
    r"\b(?:bumping|raising|upping|bumped|raised)\s+(?:it\s+|my\s+rating\s+)?(?:up\s+)?to\s+\d|"
    r"повышаю\s+(?:оценку\s+)?(?:до|на)",
    _FLAGS,
)
_STARS_FOR_ELSE = re.compile(
    r"(?:звезд\w*|звёзд\w*|оценк\w*|\d\s*(?:★|⭐|\*))\s+(?:\w+\s+){0,2}за\s+(?:\w+\s+)?"
    r"(?:доставк|курьер|продавц|упаковк|скорост|пункт|магазин)|"
    r"(?:stars?|rating)\s+(?:\w+\s+){0,3}for\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:delivery|shipping|seller|packaging|courier)|"
    # «Ставлю 5 звёзд, чтобы точно увидели», "Giving 5 stars so the seller actually reads
    # this": the stars buy attention for a complaint
    r"(?:ставлю|поставил\w*|ставим)\s+(?:\d|пять|пятерку|пятёрку)\s*(?:звезд\w*|звёзд\w*)?,?\s*"
    r"(?:чтобы|чтоб)\s+(?:\w+\s+){0,3}(?:увид|замет|прочит|прочл|обрат)|"
    r"(?:giving|gave|give|leaving|left|rating)\s+(?:it\s+|this\s+)?(?:5|five)\s+stars?\s+(?:just\s+)?"
    r"(?:so|so\s+that|to\s+make\s+sure|in\s+the\s+hope)\s+(?:\w+\s+){0,4}(?:read|see|notice|respond)|"
    r"(?:5|five)\s+stars?\s+(?:for|so)\s+(?:visibility|it\s+gets\s+(?:seen|read))",
    _FLAGS,
)
_QUESTION_SENTENCE = re.compile(r"[^.!?\n]*\?+")
#: A sentence in which the buyer excuses what they note («Запах кожи сильный, но это же
#: натуральная, так и должно быть», "a bit stiff at first, which is normal for leather").
_EXCUSED_SENTENCE = re.compile(
    r"[^.!?\n]*(?:так\s+и\s+должно\s+быть|так\s+и\s+задумано|(?:это|что)\s+(?:же\s+)?нормально\s+для|"
    r"естественно\s+для|as\s+it\s+should\s+be|which\s+is\s+(?:normal|expected)|"
    r"(?:that's|that\s+is)\s+(?:normal|expected)|to\s+be\s+expected|(?:но\s+)?(?:оно\s+)?того\s+стоит|"
    r"but\s+(?:it's|its|it\s+is\s+)?\s*worth\s+(?:it|every)|но\s+это\s+(?:скорее\s+)?плюс|"
    r"but\s+that'?s\s+a\s+(?:plus|good\s+thing))[^.!?\n]*[.!]*",
    re.IGNORECASE,
)
#: A fault word the buyer praises by its absence where it would hurt («ручка не греется»).
_PRAISED_ABSENCE = re.compile(
    r"(?:ручк|рукоятк)\w*\s+не\s+(?:гре|нагре)\w*|handles?\s+stays?\s+cool",
    re.IGNORECASE,
)

#: A fault the buyer feared before it came («Боялась, что будет маломерить», "I was worried
#: it would leak", "Some reviewers mention a smell"), up to a "но" / "but", a comma or the
#: sentence's end: no complaint by itself. Whether it came true is the sentiment service's
#: verdict (its aspects and `remark`), which this backstop does not override.
_FEARED = re.compile(
    r"(?:(?<![а-яё])(?:боял|опасал|побаивал|переживал)\w*(?:,?\s*что)?|"
    r"(?<![а-яё])с\s+(?:опаской|опасением|сомнением)|\b(?:was|were)\s+(?:skeptical|sceptical)|"
    r"(?<![а-яё])думал[аи]?,?\s+(?:что\s+)?буд(?:ет|ут)|"
    r"\b(?:was|were)\s+(?:worried|afraid|scared|nervous|concerned)|\bthought\s+(?:it|they)\s+would|"
    r"\b(?:some|many|few)\s+(?:reviewers|reviews|people|buyers)\s+(?:mention|complain)\w*)"
    r"[^.!?,;—]*?(?=\s+(?:но|а|but|however)\b|[.!?,;—]|$)",
    re.IGNORECASE,
)

_ANSWERING_BUT = re.compile(r"((?:^|[.!?,]\s*))(?:но|but)\s", re.IGNORECASE)


@dataclass(frozen=True)
class TextCues:
    """What the text says beyond the stars, from the cue lists above."""

    complaint: bool
    mild: bool
    praise: bool
    #: Praise next to a complaint with an irony marker (weak markers count).
    sarcasm: bool
    #: The same with a strong marker («ну спасибо», «браво», "thanks for nothing").
    strong_sarcasm: bool


def found_cue(pattern: re.Pattern[str], text: str) -> bool:
    """A cue that is not negated («не протекает» is praise)."""
    for m in pattern.finditer(text):
        if m.group(0).lower().startswith(("не", "no", "doesn", "does not", "won")):
            return True
        if _NEGATOR.search(text[max(0, m.start() - 24) : m.start()]):
            continue
        if _NEGATED_AFTER.match(text, m.end()):
            continue  # «запаха нет», "smell: none"
        return True
    return False


#: A sentence that tells what others wrote («в отзывах пишут», "other reviewers mention").
_OTHERS_SAY = re.compile(
    r"other\s+(?:reviewers?|reviews|people|buyers|customers)|others\s+(?:have\s+)?(?:said|mentioned|"
    r"reported|complained)|some\s+(?:reviewers|reviews|people)|в\s+отзывах|другие\s+(?:покупател|пишут)|"
    r"у\s+других|пишут,?\s+что",
    re.IGNORECASE,
)


def own_story(text: str) -> str:
    """The review without the sentences that retell other buyers' reviews: "no smoking
    like other reviewers have mentioned" reports no danger of this buyer's."""
    sentences = re.split(r"(?<=[.!?…])\s+", text)
    return " ".join(s for s in sentences if not _OTHERS_SAY.search(s))


@lru_cache(maxsize=1024)  # the family and the engine read the same review's cues
def text_cues(text: str) -> TextCues:
    """Complaint, remark, praise and sarcasm cues in a review's text (ru, en).

    Questions are left out: «брать на размер больше?» asks, it does not complain; so are
    sentences in which the buyer excuses what they note («так и должно быть»).
    """
    plain = _EXCUSED_SENTENCE.sub(" ", _QUESTION_SENTENCE.sub(" ", own_story(text)))
    # "a bit smaller, but just took some getting used to": taken back, no remark
    plain = _TAKEN_BACK_SENTENCE.sub(" ", plain)
    plain = _PRAISED_ABSENCE.sub(" ", plain)
    unfeared, fears = _FEARED.subn(" ", plain)
    if fears:
        # «Брала с опаской. Но пришёл отличный экземпляр»: that "но" answers the fear
        plain = _ANSWERING_BUT.sub(r"\1", unfeared)
    complaint = found_cue(_COMPLAINT, plain)
    praise = found_cue(_PRAISE, plain)
    mild = found_cue(_MILD, plain)
    strong = complaint and bool(_IRONY.search(plain))
    sarcasm = strong or (complaint and praise and bool(_IRONY_WEAK.search(text)))
    return TextCues(
        complaint=complaint, mild=mild, praise=praise, sarcasm=sarcasm, strong_sarcasm=strong
    )


#: A "but" that takes the remark back ("darker than in the picture but I like it more",
#: "had a problem at first, but it works now"): what it follows is no complaint.
#: Words that take a remark back ("works now", "I like it more", «так даже лучше»).
TAKEN_BACK_WORDS = (
    r"(?:it\s+)?works\s+(?:fine\s+|perfectly\s+|great\s+)?now|now\s+(?:it\s+)?works|"
    r"(?:i\s+)?(?:actually\s+|honestly\s+)?(?:like|prefer|love)\s+it\s+(?:even\s+)?(?:more|better)|"
    r"(?:i\s+)?(?:don'?t|do\s+not)\s+mind|(?:it\s+)?doesn'?t\s+bother\s+me|"
    r"(?:i\s+)?(?:have|had)\s+no\s+(?:problem|issue)\s+with\s+(?:that|it|this)|"
    r"(?:it|that)\s+(?:doesn'?t|does\s+not)\s+(?:matter|bother\s+me)|меня\s+(?:это\s+)?не\s+смущает|"
    # "a bit smaller than earlier models, but just took some getting used to"
    r"(?:(?:it\s+)?(?:just\s+)?(?:took|takes)\s+(?:some|a\s+(?:bit|little)\s+of)\s+getting\s+used\s+to)|"
    r"(?:i|you)\s+(?:quickly\s+)?(?:got|get)\s+used\s+to\s+it|(?:быстро\s+)?(?<!не\s)(?<!могу\s)привык\w*|"
    r"мне\s+(?:так\s+)?даже\s+больше\s+нрав|(?:так\s+)?даже\s+лучше"
)
_TAKEN_BACK = re.compile(
    r"^(?:honestly\s+|actually\s+|to\s+be\s+fair\s+)?(?:" + TAKEN_BACK_WORDS + ")", re.IGNORECASE
)
_TAKEN_BACK_SENTENCE = re.compile(
    r"[^.!?\n]*?,?\s+(?:но|а|but|though)\s+(?:honestly\s+|actually\s+)?(?:"
    + TAKEN_BACK_WORDS
    + r")"
    r"[^.!?\n]*[.!?]?",
    re.IGNORECASE,
)
_CONTRAST_AFTER = re.compile(
    r"^[^.!?\n]*?(?:,?\s+(?:но|однако|а|but|though|although|however)\s+|"
    # "…a bit noisy. But I have no problem with that.": taken back in the next sentence
    r"[.!]+\s+(?:(?:но|а|but|though|however),?\s+)?)",
    re.IGNORECASE,
)


def taken_back(text: str, clause: str | None) -> bool:
    """The buyer takes the remark in `clause` back in the same sentence."""
    if not clause:
        return False
    at = text.find(clause)
    if at < 0:
        return False
    after = text[at + len(clause) :]
    m = _CONTRAST_AFTER.match(after)
    return m is not None and _TAKEN_BACK.match(after[m.end() :].strip()) is not None


def blamed_aspects(classification: Classification) -> list[str]:
    """Aspects the buyer blamed, in text order, without repeats."""
    seen: list[str] = []
    for aspect in sorted(classification.aspects, key=lambda a: a.start):
        if aspect.polarity is Sentiment.negative and aspect.aspect not in seen:
            seen.append(aspect.aspect)
    return seen


#: A cons field that names no drawback («нет», «пока не обнаружила», "none so far").
_NO_DRAWBACK = re.compile(
    r"(?:(?:пока|вроде|особо|совсем)\s+)?(?:нет|не\s+(?:нашл|обнаружил|заметил|выявил|увидел)\w*|"
    r"не\s+обнаружено|отсутствуют|никаких|не\s+знаю|none|no|n/?a|nothing|none\s+so\s+far|"
    r"not\s+yet|-+|—|\.)(?:\s+(?:пока|ещё|еще|so\s+far|yet))?\W*",
    re.IGNORECASE,
)


def substantive_cons(mention: Mention) -> str | None:
    """The cons field when it names a drawback (a «Недостатки: нет» names none)."""
    cons = (mention.cons or "").strip()
    if cons and not _NO_DRAWBACK.fullmatch(cons):
        return cons
    return None


def _review_text(mention: Mention) -> str:
    """The text the buyer wrote, cons included."""
    parts = [mention.text, mention.pros or "", substantive_cons(mention) or ""]
    return "\n".join(p for p in parts if p)


#: Longer 1–2★ texts are a slip only where the sentiment service reads one.
_SLIP_WORDS = 15


def draft_family(mention: Mention, classification: Classification) -> str:
    """positive | positive_remark | neutral | negative | rating_slip | question (pure)."""
    if mention.kind is MentionKind.question:
        return "question"
    text = _review_text(mention)
    cues = text_cues(text)
    rating = mention.rating
    strong = classification.sarcasm or cues.strong_sarcasm
    sarcasm = classification.sarcasm or cues.sarcasm
    if rating is None:
        if sarcasm:
            return "negative"
        if cues.complaint and cues.praise:
            # «…но запах резковат. В целом довольна, буду брать ещё»: one remark under
            # praise, where the service read the review as positive; more faults: neutral
            blamed = [a for a in classification.aspects if a.polarity is Sentiment.negative]
            one_remark = (
                classification.sentiment is Sentiment.positive and len(blamed) <= 1 and cues.mild
            )
            return "positive_remark" if one_remark else "neutral"
        if cues.complaint:
            return "negative"
        if cues.praise:
            # "Only gripe: the nozzle is a bit short" under praise is a remark by its words
            return "positive_remark" if classification.remark or cues.mild else "positive"
        if classification.questions:
            # «Подскажите, можно ли стирать в машинке?» with no stars: a question, not a
            # complaint, whatever tone the text model heard in it.
            return "question"
        # The fused label: it already weighs the rules (a question is neutral), which the
        # bare text model does not.
        return classification.sentiment.value
    if rating >= 3 and not strong and UPDATE.search(text) and _RESOLVED.search(text):
        # «UPD: продавец заменил, новый комплект без дефектов. Исправляю на 4»: the fault was
        # put right; the reply thanks for the update, not for a remark already answered
        return "positive"
    if rating >= 4:
        if (
            rating == 4
            and cues.complaint
            and not cues.praise
            and not cues.mild  # "Bit loud though": the buyer plays it down
            and classification.text_sentiment is Sentiment.negative
        ):
            # 4★ over a review with nothing good in it ("Can't use it for more than 15
            # minutes without it disconnecting"): "glad you're happy" would be read as mockery
            return "neutral"
        if strong or (cues.complaint and _STARS_FOR_ELSE.search(text)):
            # «Звёзды ставлю за быструю доставку» under a complaint: the stars are not for
            # the item, the review is a complaint about it.
            return "negative"
        # A filled-in cons field is a remark by the buyer's own hand («Недостатки: длинные,
        # пришлось подшивать»), whatever words it uses.
        remark = (
            classification.remark or cues.complaint or cues.mild or bool(substantive_cons(mention))
        )
        if remark and not classification.remark and _RESOLVED.search(text):
            remark = False
        blamed = [a for a in classification.aspects if a.polarity is Sentiment.negative]
        if (
            remark
            and blamed
            and not substantive_cons(mention)
            and all(taken_back(text, a.clause) for a in blamed)
        ):
            remark = False  # "darker than in the picture, but honestly I like it more"
        return "positive_remark" if remark else "positive"
    if sarcasm:
        return "negative"
    if rating == 3:
        return "neutral"
    # 1–2 stars: a slip only when the text is clearly happy and says nothing went wrong.
    # A slip reply thanks for the praise: under any complaint word that is harmful, so the
    # words here veto the signal; without the signal they decide only where the text model
    # did not read the words as a complaint («ожидал лучшего» praises nothing).
    if cues.complaint or any(a.polarity is Sentiment.negative for a in classification.aspects):
        # a fault the sentiment service found («ноги мокрые») vetoes a slip as a word does
        return "negative"
    if classification.rating_slip:
        return "rating_slip"
    if (
        cues.praise
        and not cues.mild
        and classification.text_sentiment is not Sentiment.negative
        and len(text.split()) <= _SLIP_WORDS
    ):
        # past a short text, only the service's reading (praise said over and over) makes a
        # slip: «Отличный кофе для тех, кто скучает по вкусу жжёной резины…» is irony
        return "rating_slip"
    return "negative"
