"""The word lists behind the rule-based signals (ru, en), in the phrase syntax of phrases.py.

Russian entries are lemmas (pymorphy3 normal forms, ё written as е); English entries are
word forms or prefixes (``shr*``). Each aspect entry carries an inherent polarity: -1 for a
complaint by itself («не работает», «прислали не тот»), +1 for praise by itself
(«как на фото»), 0 for a topic word whose polarity comes from the words around it
(«доставка», "size"). A negator right before an entry flips it («не протекает» → +1).
Longer phrases win over the words inside them («пришёл другой размер» is a wrong item,
not a size remark).
"""

from __future__ import annotations

from shared.aspects import ASPECTS

MACROS: dict[str, tuple[str, ...]] = {
    "device": tuple(
        "телефон смартфон айфон iphone айпад ipad samsung самсунг галакси galaxy xiaomi "
        "сяоми редми redmi honor хонор huawei хуавей pixel ноутбук ноут макбук macbook mac "
        "планшет машина авто автомобиль модель разъем гнездо порт usb type зарядка зарядник "
        "принтер пылесос кофемашина розетка андроид android телевизор тв приставка консоль "
        "ps4 ps5 playstation xbox велосипед самокат кран смеситель унитаз камера фотоаппарат "
        "часы apple airpods наушники роутер компьютер пк монитор чехол кузов фара "
        "phone smartphone laptop tablet car device charger printer tv console bike "
        "socket outlet port model case watch computer monitor router headphones vent vents "
        "дефлектор".split()
    ),
    "photo": tuple(
        "фото фотка фотография картинка изображение карточка сайт витрина превью "
        "photo photos picture pictures pic pics image images listing website site "
        "pictured shown".split()
    ),
    "colour": tuple("цвет оттенок расцветка окрас colour color colours colors shade hue".split()),
    "compare": tuple(
        "ярче темнее светлее бледнее тусклее насыщеннее ярче другой иной отличаться "
        "различаться "
        "darker lighter brighter paler duller different differs differ "
        "off".split()
    ),
    "colourname": tuple(
        "черный белый красный синий голубой розовый серый бежевый зеленый желтый "
        "коричневый фиолетовый оранжевый хаки бордовый black white red blue pink grey gray "
        "beige green yellow brown purple".split()
    ),
    "wash": tuple("стирка стирать постирать постирка wash washing washed laundry".split()),
    "deliver": tuple(
        "доставка доставить привезти прийти приехать дойти доехать получить посылка заказ "
        "курьер отправка отправить приходить доставлять привозить".split()
    ),
    "part": tuple(
        "кабель провод шнур зарядка зарядный зарядник адаптер блок винт шуруп болт гайка "
        "крепление крепеж крышка батарейка аккумулятор ремешок пульт деталь запчасть "
        "насадка фильтр щетка ножка ножки подставка ключ переходник колпачок чехол "
        "пакетик наушник вкладыш венчик чаша "
        "cable cord charger adapter screw screws bolt bolts battery batteries remote "
        "part parts piece pieces lid cap strap filter brush stand key accessories hook "
        "attachment attachments blade whisk bowl belt sash cord".split()
    ),
    "smelly": tuple(
        "резина резиновый химия химический пластик пластмасса краска клей бензин ацетон "
        "рыба плесень сырость гарь растворитель дешевый кожзам "
        "plastic chemical chemicals rubber paint glue gasoline petrol fish mold mould "
        "burnt vinegar smoke cigarettes".split()
    ),
    "material": tuple(
        "пластик пластмасса ткань материал синтетика фурнитура "
        "plastic fabric material materials leather".split()
    ),
}

#: aspect -> pattern -> inherent polarity.
ASPECT_PHRASES: dict[str, dict[str, int]] = {
    "counterfeit": {
        "подделка": -1, "поддельный": -1, "фейк": -1, "паль": -1, "паленый": -1,
        "палёнка": -1, "реплика": -1, "копия": -1, "левый товар": -1,
        "оригинал": 1, "оригинальный": 1, "подлинный": 1, "подлинность": 0,
        "оригинальность": 0, "не оригинал": -1, "вместо оригинал": -1,
        "fake": -1, "counterfeit": -1, "knockoff": -1, "knock off": -1, "replica": -1,
        "genuine": 1, "authentic": 1, "original": 1, "authenticity": 0,
        # a doubt said as a statement («оригинальность под большим вопросом»)
        "оригинальность|подлинность ~ под ~ вопрос|сомнение": -1,
        "сомневаться|сомнение ~ в ~ оригинальность|подлинность": -1,
        "не ~ похожий ~ на ~ оригинал": -1,
        "doubt|doubts ~ about ~ authenticity|genuine": -1,
    },
    "wrong_item": {
        "заказать|заказывать ~~ а ~ прийти|прислать|привезти": -1,
        # «Заказывала М пришел XS», «заказал черный пришел розовый» (no «а», no comma)
        "заказать|заказывать ~ прийти|прислать|привезти xs|s|m|l|xl|xxl|xxxl|@colourname": -1,
        "ordered ~~ got|received|sent|came": -1, "received|got ~ a|an|the ~ @colourname": -1,
        "received|got @colourname": -1,
        "прийти|прислать|привезти @colourname": -1, "прислать|прийти ~ б у": -1,
        "прислать|привезти|отправить|положить|доставить|прийти|приехать|выдать ~ не тот": -1,
        "прислать|привезти|отправить|положить|доставить|выслать ~ другой|чужой": -1,
        "прийти|приехать ~ другой|чужой": -1,
        "не тот товар|размер|цвет|модель|артикул|заказ|вещь": -1,
        "не то ~ заказывать|заказать": -1,
        "вместо ~ прислать|прийти|привезти|положить": -1,
        "перепутать": -1, "пересорт": -1, "пересортица": -1,
        "wrong item|size|color|colour|model|product|one|order|thing|part|type|book": -1,
        "sent|received|got|shipped|delivered|sending|send ~ wrong|different": -1,
        "not what i|we ordered": -1,
        "mixed up": -1,
    },
    "not_working": {
        # "stoped charging after 2 weeks, red light blinks and nothing else"
        "stoped|stopt ~ working|charging|turning|holding|heating|spinning": -1,
        "red ~ light ~ blinks|blinking|flashes|flashing": -1,
        # "my phone is now a very expensive paperweight": dead, not dear
        "paperweight|doorstop": -1, "expensive ~ paperweight|doorstop": -1,
        "вырубаться": -1, "перестать ~ заряжать|включать|работать": -1,
        "работать": 1, "works": 1, "still works": 1, "вылетать": -1, "зависать": -1,
        "crash|crashes|crashing|crashed|freezes": -1, "keeps crashing": -1,
        # an app that drops the customer's session
        "log|logs|logging|logged|kicks|kicked ~ me ~ out": -1,
        "выкидывать|выкинуть|выбрасывать ~ из ~ аккаунт|приложение|профиль": -1,
        "разлогинивать|разлогинить": -1, "глючить": -1, "лагать": -1,
        "lags|lagging|laggy|glitchy|buggy": -1,
        "не работать|включаться|заряжаться|запускаться|греть|нагреваться|светить|"
        "светиться|гореть|крутить|реагировать|функционировать|печатать|подключаться|"
        "сопрягаться|срабатывать|заводиться|ловить|качать|дуть|морозить|охлаждать|"
        "показывать|включить|зарядиться|запуститься|коннектиться|включиться|"
        "подключиться|сработать|заработать|загореться|загружаться|загрузиться": -1,
        "перестать|прекратить ~ работать|включаться|заряжаться|запускаться|светиться|"
        "греть|реагировать|подключаться|срабатывать": -1,
        # one earbud / one speaker of two («играет только левый наушник»)
        "only ~ play|plays|playing|works|working|sound|sounds ~~ left|right|one ~ ear|side|earbud|"
        "speaker|channel": -1,
        "работать|играть|звучать|слышно ~ только ~ один|левый|правый": -1,
        "звук ~ только ~ в ~ один|левый|правый": -1,
        "сдохнуть": -1, "нерабочий": -1, "неработающий": -1, "не рабочий": -1,
        # «часы встали через 2 дня»: a watch that stopped
        "часы ~ встать|остановиться": -1,
        "умереть|накрыться|сгореть": -1, "признаки жизни": -1,
        "doesn't|didn't|won't|wouldn't|not|never|stopped|quit|isn't|wasn't|can't|dont|doesnt|"
        "didnt|wont|cant|stops "
        "work|works|worked|working|charge|charging|turn|power|switch|connect|pair|boot|"
        "start|function|functioning|heat|light": -1,
        "dead on arrival": -1, "doa": -1, "died": -1, "failed": -1,
        # "it worked for a month or so then it stopped", "nothing is working"
        "then ~ it|they ~ stopped|quit|died": -1, "nothing ~ is|was ~ working|works": -1,
        # "all of a sudden, they quit", "stops transferring files", "won't accept file names"
        "they|it ~ quit": -1,
        "stops|stopped ~ transferring|copying|syncing|saving|recording|reading|responding": -1,
        "won't|wont|will ~ not ~ accept|read|recognize|recognise": -1,
        "neither|none ~ works|work|worked|working": -1,
        # «НЕ ЕДЕТ!!! ПУЛЬТ НЕ ВИДИТ МАШИНКУ»: a toy car that does not drive
        "не ехать|поехать": -1, "пульт ~ не ~ видеть|ловить": -1,
        "screen|display ~ went|goes|turned|stays ~ black|blank|dark": -1,
        "black|blank ~ screen": -1, "экран ~ погаснуть|потухнуть|не ~ загораться": -1,
        "double ~ click|clicks|clicking|clicked": -1, "двойной ~ клик|нажатие": -1,
        "даблклик": -1, "даблкликать": -1,
        "works perfectly|fine|great|well|flawlessly": 1,
        "работать ~ отлично|идеально|хорошо|исправно|безотказно|отлично|прекрасно": 1,
    },
    "defect": {
        "dent": -1, "dented": -1,
        # a non-stick surface that sticks («вафли прилипли намертво», "everything sticks")
        "прилипнуть": -1, "прилипать": -1, "пригорать": -1, "пригореть": -1,
        # «покрытие полезло хлопьями прямо в яичницу»
        "покрытие ~ полезть|лезть|сходить|сойти|слезть|слезать|шелушиться": -1,
        "хлопья|хлопьями ~ в ~ еда|яичница|суп|блюдо|тарелка": -1,
        "прослужить ~ целый|аж|всего ~~ день|неделя|месяц": -1,
        "sticks|stuck ~ to ~ the ~ pan|plate|surface|coating": -1,
        "pop|pops|popped ~ out|off": -1, "выпадать": -1, "выпасть": -1,
        # a pan that «греется равномерно» heats as it should
        "греться ~ равномерно|ровно|быстро|хорошо|отлично|моментально": 1,
        "отклеиваться": -1, "отслаиваться": -1, "облезать": -1,
        "начать ~ отклеиваться|облезать": -1,
        "шов": 0, "строчка": 0, "молния": 0, "застежка": 0, "стежок": 0, "zipper": 0,
        "stitching": 0, "seams": 0, "seam": 0, "туговатый": -1, "тугой": -1,
        "перекосить": -1, "врать": -1, "потрескаться": -1, "погнутый": -1,
        "пришить|пришитый|приклеить ~ криво": -1, "лезть ~ из ~ шов": -1, "греться": -1,
        "разболтаться": -1, "заедать": -1, "не закрываться|закрыться": -1,
        "gets|getting|got ~ hot": -1, "overheats|overheating": -1, "loose": -1,
        # «ручка раскалилась так, что держать невозможно»: too hot to hold
        "раскалиться": -1, "раскаляться": -1, "перегреваться": -1, "перегреться": -1,
        "scratch": -1, "ripping": -1, "snapping": -1, "не держаться": -1,
        # «детали разваливаются», «магниты не магнитятся», "the clip snapped"
        "разваливаться": -1, "не ~ магнититься": -1,
        # «кейс царапается»: a fault, however fast
        "царапаться": -1, "поцарапаться": -1, "быстро ~ царапаться": -1,
        "брак": -1, "бракованный": -1, "бракованая": -1, "дефект": -1,
        "сломаться": -1, "сломанный": -1, "сломать": -1, "поломка": -1, "поломаться": -1,
        "дырка": -1, "дыра": -1, "отвалиться": -1, "развалиться": -1, "порваться": -1,
        "порвать": -1, "треснуть": -1, "трещина": -1, "скол": -1, "царапина": -1,
        "поцарапать": -1, "поцарапанный": -1, "разойтись": -1, "отклеиться": -1,
        "облезть": -1, "облупиться": -1, "отслоиться": -1, "оторваться": -1, "лопнуть": -1,
        "расколоться": -1, "пятно": -1, "кривой шов|строчка": -1, "торчать нитка": -1,
        "нитка торчать": -1, "заусенец": -1, "брачок": -1, "деформироваться": -1,
        "отпасть": -1, "погнуть": -1, "погнуться": -1, "рассыпаться": -1, "полопаться": -1,
        "defect": -1, "defective": -1, "faulty": -1, "broke": -1, "broken": -1,
        "breaks": -1, "cracked": -1, "crack": -1, "tore": -1, "torn": -1, "ripped": -1,
        "fell|falls|falling apart|off": -1, "came|comes apart|off|undone": -1,
        "snapped": -1, "peeling": -1, "peeled": -1, "scratched": -1, "scratches": -1,
        "flaw": -1, "flawed": -1, "stain": -1, "stained": -1, "hole": -1, "holes": -1,
        "loose threads": -1, "broke down": -1,
        "rust": -1, "rusty": -1, "rusted": -1, "rusting": -1, "ржаветь": -1,
        "заржаветь": -1, "ржавчина": -1, "coming apart|off|undone": -1,
        "spark|sparks|sparked|sparking": -1, "искрить": -1, "заискрить": -1,
        "flicker|flickers|flickering|flickered|flickery": -1, "мерцать": -1, "моргать": -1,
        "мигать": -1,
        "separating|separated|detaching|detached ~~ from": -1,
        "tearing|tears ~ at|apart|along|on": -1, "started ~ tearing|ripping|cracking": -1,
        "sole|soles ~ separating|separated|detached|peeling": -1,
        # a used or dirty item sent as new («пришло грязное», «кто-то уже носил»)
        "прийти|приехать|прислать ~ грязный|пыльный|ношеный|ношенный": -1,
        "кто-то ~ носить|пользоваться": -1, "ношеный": -1, "ношенный": -1,
        "arrived|came ~ dirty|used|worn": -1, "already ~ worn|used": -1,
        # mould inside a bottle or a container (a smell of mould is smell_material)
        "mold|mould|moldy|mouldy": -1, "плесень": -1, "заплесневеть": -1,
        "слизаться|слизать": -1,
    },
    "missing_parts": {
        # "a jar that's half empty when you open it"
        "half ~ empty": -1, "наполовину ~ пустой": -1,
        "в коробка|комплект|набор ~ нет": -1,
        # «в коробке только сам блендер и стакан. Где остальное??»
        # (not «в коробке только на китайском»: the manual's language)
        "в коробка|комплект|набор только|лишь сам|одна|один|одно|два|две|половина": -1,
        "где ~ остальной": -1,
        "в коробка|комплект|набор ~ не быть": -1, "no ~~ in the box|set|kit": -1,
        "@part|деталь|элемент|штука|tiles|pieces|parts ~ вместо": -1,
        "only ~ pieces|tiles|parts|screws ~ in": -1, "in a box that says": -1,
        "в комплект": 1, "все на место": 1, "нет ~ элемент|деталь": -1, "came with": 1,
        "не хватать|хватить": -1, "недоставать": -1, "половина ~ нет": -1,
        # "No light bulb arrived": the part never came, the parcel did
        "no ~ @part|bulb|lightbulb|light ~ arrived|came|included|was": -1,
        # «Комплект неполный», «нет двух головок»
        "неполный ~ комплект|набор": -1, "комплект|набор ~ неполный": -1,
        "нет ~ два|двух|три|трех|одной|одного": -1,
        "нет|отсутствовать|забыть ~ в комплект|комплектация|набор|коробка|упаковка": -1,
        "не быть ~ в комплект|комплектация|набор|коробка|упаковка": -1,
        "нет|без|забыть ~ @part": -1, "не быть|положить|доложить ~ @part": -1,
        "отсутствовать": -1, "некомплект": -1, "недокомплект": -1, "неполный комплект": -1,
        "не положить|доложить": -1, "недоложить": -1,
        "полный комплект": 1, "все в комплект": 1, "комплект полный": 1,
        "комплектация|комплект": 0,
        "missing": -1, "incomplete": -1, "without ~ @part": -1,
        # "Mixer arrived without the dough hook", «пришёл без зарядки»: the box, not the trip
        "arrived|came|shipped|delivered ~ without ~ the|its|their": -1,
        "never|didn't|didnt ~ receive|received|get|got ~ @part": -1,
        # an empty parcel («пришла пустая коробка», "package arrived EMPTY")
        "arrived|came|delivered ~ empty": -1, "empty ~ box|package|parcel": -1,
        "пустой ~ коробка|посылка|упаковка|пакет": -1, "прийти|привезти ~ пустой": -1,
        # a short shipment («заказала 3 пары, пришла одна», "ordered 3, only 2 came")
        "прийти|привезти|прислать ~ только|лишь|половина": -1,
        "прийти|привезти|прислать один|одна|одно|два|две": -1,
        "only ~ one|two|three|half ~ arrived|came|was|were ~ in": -1,
        "only ~ one|two|half ~ arrived|came": -1, "arrived|came ~ only ~ one|two|half": -1,
        "didn't|not|never|didnt ~ come with": -1,
        "no @part": -1,
        "everything included": 1, "all parts|pieces": 1,
        # an empty parcel: the whole item is missing («пустая коробка без товара»)
        "пустой ~ коробка|посылка|пакет|упаковка": -1, "без ~ товар": -1,
        "empty ~ box|package|parcel|envelope": -1,
    },
    "transit_damage": {
        "прийти|приехать ~ с ~ трещина|скол|вмятина|царапина": -1,
        "arrived|came ~ with ~ a ~ crack|dent|scratch|chip": -1,
        "arrived|came ~ with ~ a ~ small|tiny|little|big|huge|visible ~ crack|dent|scratch|chip":
            -1,
        "отбить": -1, "отбитый": -1, "все ~ целый": 1, "не побиться|разбиться": 1,
        "not a single scratch": 1,
        "without ~ a ~ single ~ scratch|dent|chip|mark|crack": 1, "arrived|came ~ intact": 1,
        "помять": -1, "помятый": -1, "мятый": -1, "смять": -1, "разбить": -1, "разбитый": -1,
        "повредить": -1, "поврежденный": -1, "повреждение": -1, "раздавить": -1,
        "раздавленный": -1, "вмятина": -1, "разбиться": -1, "расколотый": -1,
        "прийти|приехать ~ сломанный|треснутый|битый|разбитый|поврежденный|мятый": -1,
        "damaged": -1, "crushed": -1, "smashed": -1,
        "arrived|came ~ broken|cracked|damaged|smashed|shattered|snapped|dented|crushed": -1,
        "damaged in transit|shipping": -1,
        # a parcel opened before the buyer («пришёл вскрытый», "arrived opened")
        "прийти|приехать ~ вскрытый|распечатанный|вскрыть|распечатать": -1,
        "arrived|came ~ opened|unsealed|already open": -1,
        "arrived|came|delivered ~ in ~ pieces|bits|shards": -1, "прийти ~ вдребезги|осколки": -1,
        "прийти|приехать ~ в ~ осколок|осколки": -1,
    },
    "leak": {
        # "Waterproof, they said.": the claim, said back in scorn
        "waterproof|water-resistant|leakproof|leak-proof ~ they|it ~ said|says|claimed": -1,
        "вытечь": -1, "вытекать": -1, "soaked": -1, "soaking wet": -1,
        "проливаться": -1, "плотно закрываться": 1, "утонуть": -1, "разлиться": -1,
        "seals": 1, "doesn't|didn't|won't ~ seal": -1, "let|lets ~ in ~ water": -1,
        "протекать": -1, "течь": -1, "потечь": -1, "подтекать": -1, "капать": -1,
        "протечь": -1, "протечка": -1, "промокать": -1, "промокнуть": -1,
        "пропускать|пропустить воду|влагу": -1, "подтекание": -1, "течет": -1,
        "leak": -1, "leaks": -1, "leaked": -1, "leaking": -1, "leaky": -1, "drips": -1,
        "dripping": -1, "drip": -1, "lets water in|through": -1,
        "let|letting ~ water|rain|moisture ~ in|through": -1,
        # «попал под дождь, все тетради мокрые»
        "дождь ~~ мокрый|намокнуть|промокнуть|вымокнуть": -1,
        "мокрый|намокнуть|промокнуть|вымокнуть ~~ дождь": -1,
        "rain ~~ wet|soaked|drenched": -1, "wet|soaked|drenched ~~ rain": -1,
    },
    "compatibility": {
        "@device ~ влезать|влезть": 1, "сесть как родной": 1,
        "work|works|worked ~ with ~ my|the|all|every ~ @device": 1,
        "не подойти|подходить|подошла|совпадать|вставать|встать|налезать к|для|на|под": -1,
        "не подойти|подходить ~ @device": -1,
        "к|для ~ @device ~ не подойти|подходить|подошла": -1,
        "не подключаться|подключиться к": -1,
        "несовместимый": -1, "несовместимость": -1,
        "совместимый|совместимость": 0,
        "подойти|подходить|встать|сесть к|под ~ @device": 1,
        "подойти|подходить|встать ~ на|к|под|для ~ @device": 1,
        "doesn't|didn't|won't|not|doesnt|didnt ~ fit|work ~ my|the|with|iphone|samsung|"
        "galaxy|pixel ~ @device": -1,
        "not compatible": -1, "incompatible": -1, "compatible": 1, "compatibility": 0,
        "fits|fit|fitted my|the ~ @device": 1,
    },
    "description_mismatch": {
        # a used item sold as new ("sent a used case", «прислали б/у», «следы носки»)
        "sent|sending|received|got|shipped ~ a|an ~ used|second-hand|returned|worn": -1,
        "clearly|obviously ~ used|worn|returned": -1, "someone ~ else's|elses ~ fingerprints": -1,
        "след ~ носка|использование|эксплуатация": -1, "кто-то ~ уже ~ носить|пользоваться": -1,
        "заявлено": -1, "обещать ~~ по факт": -1,
        # "they should say in the description that they're ribbed"
        "should ~ say|mention|state|show ~~ description|listing": -1,
        # "does not look anything like in the picture", «на фото совсем другое»
        "nothing|anything ~ like ~~ @photo": -1, "не ~ похож|похожий ~~ @photo": -1,
        # «заряжает за полчаса, как и заявлено»: as promised is praise
        "как ~ заявлено|заявить|заявленный|обещать|обещано|указано|указать|описано|описать": 1,
        "as ~ advertised|described|promised|stated|pictured": 1,
        # «обещали 12 часов, держит от силы 3», "claims 12 hours, lasts 3 at most"
        "обещать|заявить|заявлять ~~ от ~ сила": -1,
        "promised|claims|claimed|advertised|says ~~ at ~ most": -1,
        # «„натуральная кожа“ оказалась клеёнкой», "turned out to be plastic"
        "оказаться ~ клеенка|пластик|пластмасса|кожзам|синтетика|картон|бумага|дешевка": -1,
        "turned|turns ~ out ~ to ~ be ~ plastic|fake|faux|synthetic|cardboard|polyester": -1,
        # a power bank that "charges my phone exactly once"
        "заряжать|зарядить ~~ 1|один|раз ~ раз ~ и ~ все": -1,
        "заряжать|зарядить ~ только|всего ~ 1|один ~ раз": -1,
        "charges|charged ~~ exactly|only|just ~ once": -1,
        # «держит минут 10 вместо заявленных 40» (promised days are delivery_speed)
        "вместо ~ заявленный|заявить|указанный|указать": -1,
        "instead of ~ the ~ advertised|claimed|stated|listed": -1,
        "меньше|больше|хуже|слабее|ниже ~ заявленный|обещанный|заявить": -1,
        "nowhere near": -1, "made it look like": -1, "title ~ says|said": -1,
        "написано": -1, "в|по описание": -1, "а по факт": -1,
        "smaller|bigger|larger|thinner|shorter|longer ~ than ~~ @photo": -1,
        # «на фото выглядит крупнее», "looks bigger in the pictures": smaller in life
        "@photo ~ выглядеть|казаться|смотреться ~ крупнее|больше|ярче|лучше|дороже|"
        "красивее|качественнее|толще|плотнее|богаче|объемнее|пушистее": -1,
        "выглядеть|казаться|смотреться ~ крупнее|больше|ярче|лучше|дороже|красивее|"
        "качественнее|толще|плотнее|богаче|объемнее|пушистее ~ на ~ @photo": -1,
        "looks|looked|seems|seemed ~ bigger|larger|better|brighter|thicker|nicer|fuller ~~ "
        "@photo": -1,
        "smaller|bigger|larger|thinner|shorter|longer ~ than ~ i ~ expected|thought ~~ @photo": -1,
        "exactly|just ~ like|as ~ the ~ @photo": 1, "в названии": -1, "по таблица ~ размер": -1,
        "size chart ~ off|wrong|way": -1, "listing ~ says|said|claims": -1, "claims": -1,
        "совпасть ~ с ~ описание": 1, "не совпадать|совпасть ~ с ~ @photo": -1,
        "выглядеть|смотреться ~ дешевле ~ чем ~ @photo": -1,
        "на ~ @photo ~ другой|иной|совсем": -1, "nothing like the|in ~ @photo": -1,
        "not mentioned ~ description|listing": -1,
        "не соответствовать|совпадать ~ описание|заявленный|характеристика|заявить|"
        "карточка|фото": -1,
        "соответствовать|совпадать ~ описание|заявленный|характеристика|заявить": 1,
        "не соответ*|соотвеств*|соответсв*|соотв* ~ описание|заявленный|характеристика": -1,
        "не как|такой ~ в|на описание|фото|картинка|карточка|сайт": -1,
        "не такой как|какой ~ @photo|описание": -1,
        "как|такой ~ в|на описание|фото|картинка|карточка": 1,
        "заявить|заявленный|обещать|написать ~ а|но ~ по|на факт|деле|самом": -1,
        "в описании ~ а|но": -1,
        "описание": 0, "характеристика": 0, "заявленный": 0,
        "not as|like described|advertised|pictured|shown": -1,
        "not ~~ as ~ advertised|described|promised|stated|claimed": -1,
        "as described|advertised|pictured|shown": 1,
        "doesn't|didn't|not|doesnt ~ match ~ description|listing|picture|photo|pictures|photos":
            -1,
        "looks|look ~ nothing like ~ @photo": -1,
        "misleading": -1, "false advertising": -1, "description": 0,
        # "not 3 weeks like the box says": what the box promises, not the box
        "box|label|package|packaging|packet ~ says|said|claims|states|promised": -1,
        "на ~ коробка|упаковка|этикетка ~ написать|обещать|указать|заявить": -1,
    },
    "colour_mismatch": {
        # "the grey is really light purple", «серый на самом деле сиреневый»
        "@colourname ~ is|are|looks|look ~ really|actually|more ~ @colourname": -1,
        "@colourname ~ на ~ самом ~ деле ~ @colourname": -1,
        "@colour ~ на ~ @photo ~~ в жизни|вживую|реальности|реале": -1,
        "@colour ~~ than|from ~~ @photo": -1, "lose|lost|losing ~ colour|color": -1,
        "@colour ~ не|другой|отличаться|совсем ~ @photo": -1,
        "@colour ~ не соответствовать|совпадать": -1,
        "@colour ~~ не как|такой": -1,
        "@colour ~ @compare ~ чем|от|с ~ на ~ @photo": -1,
        "@colour ~ на ~ @photo ~ @compare": -1,
        "на ~ @photo ~ @colour ~ @compare": -1,
        "на ~ @photo ~ ярче|темнее|светлее|бледнее|насыщеннее|тусклее": -1,
        "@compare чем ~ на ~ @photo": -1,
        "@colour ~ @compare": -1,
        "@colour ~ как|соответствовать|совпадать ~ @photo": 1,
        "@colour": 0, "полинять": -1, "выцвести": -1, "выгореть": -1,
        "@colour ~ different|differs|off|darker|lighter|brighter|paler|not ~ @photo": -1,
        "@colour ~ is|was ~ different|off": -1,
        "darker|lighter|brighter|paler|different ~ than|from|to ~ @photo": -1,
        "@colour ~ as|like|matches|same ~ @photo": 1,
        "faded": -1,
    },
    "size_fit": {
        # "ordered a M and it came basically an XS": the size sewn in, not the one sent
        "came|come|comes|fits|fit ~ basically|practically|like|more ~ a|an ~ "
        "xs|xxs|s|m|l|xl|xxl|child's|kids": -1,
        # "This shirt fit really really big", "runs way too small"
        "fit|fits|runs|ran|run ~ really|very|so|too|way|super|quite ~ big|large|small|huge|tiny|"
        "tight|loose|long|short": -1,
        "fit|fits|runs|ran ~ big|large|small|huge|tiny": -1,
        # "it has shrunk, it still fits": the fit survived the fault
        "still ~ fits|fit": 1, "всё ещё|все еще|по-прежнему ~ впору|налезать|подходить": 1,
        "сесть ~ как надо": 1,
        "брать|взять|купить|заказать|заказывать|размер|рост ~ с запас": 1,
        "по размер ~ подойти|подходить|сесть": 1,
        "впору": 1,
        "размер": 0, "размерный": 0, "размерность": 0, "размерная сетка": 0,
        "маломерить": -1, "большемерить": -1, "маломерка": -1, "большемерка": -1,
        "маломерный": -1, "мал": -1, "велик": -1, "маловат": -1, "великоват": -1,
        "маловатый": -1, "великоватый": -1, "мала": -1, "малы": -1,
        "не налезать|налезть|застегиваться|сходиться": -1,
        "не подойти|подходить по|на ~ размер|рост|фигура|талия|объем": -1,
        "жать": -1, "тесный": -1, "коротковатый": -1, "длинноватый": -1,
        "в размер": 1, "размер в размер": 1, "сесть ~ идеально|отлично|хорошо|влитой": 1,
        "сесть по фигура": 1, "сидеть": 0, "по размеру": 0, "посадка": 0,
        "size": 0, "sizes": 0, "sizing": 0, "fit": 0, "fits": 0, "fitting": 0,
        "runs small|large|big|tight": -1, "run|runs|ran ~~ small|large|big|tight": -1,
        "too small|big|large|tight|loose|short|long|narrow":
            -1,
        "true to size": 1, "fits perfectly|well|great|nicely": 1, "perfect fit": 1,
        # shoes that rub: the fit, however the buyer puts it
        # «ремень длинноват, пришлось проделать дырку»: the fit, not a hole in the item
        "проделать|пробить|проколоть|сделать ~ дырка|дырочка|отверстие": -1,
        "рукав|рукава|штанина|штанины|брюки|джинсы ~ очень|слишком ~ длинный|короткий": -1,
        "sleeves|legs ~ way|too|very ~ long|short": -1,
        "подворачивать|подгибать|подшивать|укорачивать": -1,
        "натирать": -1, "натереть": -1, "мозоль": -1, "blister": -1, "blisters": -1,
        "rubs|rubbed|chafes|chafed|chafing ~ my|the ~ heel|heels|feet|foot|skin": -1,
        "heel|heels|toe|toes|strap|straps ~ rub|rubs|rubbed|rubbing|dig|digs|pinch|pinches": -1,
        "smaller|bigger|larger|shorter|longer|narrower|tighter ~ than ~ i ~ expected|thought|"
        "imagined|hoped": -1,
        "меньше|больше|уже|короче|длиннее ~ чем ~ ожидать|думать|представлять|казаться": -1,
    },
    "shrinkage": {
        # "I loved this dress... until i washed it"
        "until ~ i|we ~ washed|wash ~ it|them": -1,
        "сесть|сесться|усесть ~~ @wash": -1,
        "@wash ~~ сесть|сесться|усесть|уменьшиться|растянуться|вытянуться|деформироваться|"
        "скататься|потерять": -1,
        "сесть на ~ размер": -1,
        "уменьшиться|растянуться|вытянуться|деформироваться ~~ @wash": -1,
        "усадка": -1, "усесть": -1, "скукожиться": -1, "усохнуть": -1,
        "shrank": -1, "shrunk": -1, "shrinks": -1, "shrink": -1, "shrinking": -1,
        "shrinkage": -1, "stretched out": -1, "lost ~ shape ~ wash|washing|washed": -1,
        "after ~ wash|washing|washes ~ stretched|lost|smaller|shrank": -1,
    },
    "smell_material": {
        "запах ~ палёный|паленый|горелый|гарь": -1,
        # «запах на любителя»: a smell not everyone likes is a remark
        "запах|аромат|вкус ~ на ~ любитель": -1,
        "палёный|паленый ~ проводка|пластик|резина|изоляция|провод": -1,
        # water that tastes of the bottle: a taste is the material's, like a smell
        "tastes|taste|tasted ~ metallic|metal|plastic|chemical|chemicals|weird|funny": -1,
        "металлический|железный ~ привкус|вкус": -1, "привкус|вкус ~ металл|железо": -1,
        "мягкий": 1, "мягонький": 1, "soft": 1, "fluffy": 1, "колоться": -1,
        "синтетический": -1, "@smelly ~ пахнуть|вонять": -1, "@smelly не пахнуть|вонять": 1,
        "запах": 0, "пахнуть": 0, "вонять": -1, "вонючий": -1, "вонь": -1, "аромат": 0,
        "запах ~ уйти|выветриться|пропасть|исчезнуть|пройти|проветриться|выйти|"
        "уходить|выветриваться|проходить|держаться|остаться": -1,
        "выветриться": -1, "проветривать": -1,
        # the fabric creases («сильно мнётся», "wrinkles like crazy"); «не мнётся» is praise
        "мяться": -1, "wrinkles": -1, "wrinkle": -1, "wrinkled": -1, "creases": -1,
        # «запах не ушёл»: a smell that stayed is no less a complaint (the «не» is matched,
        # so it does not flip the phrase)
        "запах ~ не ~ уйти|выветриться|пропасть|исчезнуть|пройти|проветриться|уходить|"
        "выветриваться|проходить": -1,
        "запах|пахнуть|вонять|вонь|отдавать|разить ~ @smelly": -1,
        "@smelly запах": -1, "химия": -1,
        "без|нет|не|никакой ~ запах": 1, "не пахнуть|вонять": 1,
        # «рубашка без синтетики», «крем без химии»: the buyer wanted it absent, praise
        "без ~ синтетика|синтетический|химия": 1,
        "@material": 0, "дешевый @material": -1,
        "smell": 0, "smells": 0, "smelled": 0, "smelt": 0, "smelly": -1, "stinks": -1,
        "stink": -1, "stank": -1, "odor": 0, "odour": 0, "reeks": -1, "reek": -1,
        "smell|smells|smelled|smelt|smelling|odor|odour|reeks|stinks ~ like|of ~ @smelly": -1,
        "smell|smells|smelled|smelt|odor|odour ~ like|of": -1,
        "@smelly smell|odor|odour": -1, "strong smell|odor|odour": -1,
        "smell|odor|odour ~ went|goes|go|gone|faded|fades|disappeared|away|wore": -1,
        "no smell|odor|odour": 1,
        # "smells a bit like oranges": a pleasant smell is praise (a mild one, not a fault)
        "smell|smells|smelled|smelt ~ like|of ~ orange|oranges|citrus|lemon|lemons|lavender|"
        "vanilla|flowers|roses|coconut|chocolate|coffee|mint|berries|strawberries|heaven": 1,
        "smell|smells|smelled|smelt ~ amazing|lovely|great|wonderful|divine|delicious|fresh": 1,
        "cheap|cheaply|flimsy ~ @material": -1,
    },
    "noise": {
        "шуметь": -1, "шумный": -1, "шум": 0, "гудеть": -1, "гул": -1, "скрипеть": -1,
        "скрип": -1, "трещать": -1, "треск": -1, "дребезжать": -1, "жужжать": -1,
        "свистеть": -1, "громкий": -1, "громко": -1, "грохотать": -1, "тарахтеть": -1,
        "пищать": -1, "писк": -1, "бесшумный": 1, "тихий": 1, "тихо": 1, "шумность": 0,
        "шумноватый": -1,
        "loud": -1, "loudly": -1, "noisy": -1, "noise": 0, "squeak": -1, "squeaks": -1,
        "squeaky": -1, "squeaking": -1, "buzz": -1, "buzzes": -1, "buzzing": -1,
        "rattles": -1, "rattle": -1, "rattling": -1, "whines": -1, "whining": -1,
        "hums": -1, "humming": -1, "creaks": -1, "creaky": -1, "quiet": 1, "silent": 1,
        # a speaker's praise: "loud and clear", "gets loud enough"
        "loud ~ and ~ clear": 1, "loud enough": 1, "громкий ~ и ~ чистый": 1,
        # "barely hear it", «почти не слышно»: quiet
        "barely|hardly ~ hear|audible|notice": 1, "почти ~ не ~ слышно|слышать": 1,
        # «шумит тихо», «гудит еле слышно»: quiet, said with a noise verb
        "шуметь|гудеть|жужжать ~ тихо|негромко|еле": 1, "тихо|негромко ~ шуметь|гудеть": 1,
        "не ~ слышно": 1,
        # «шумит в меру», "noise is acceptable": a noise the buyer accepts is no complaint
        "шуметь|гудеть|шум ~ в ~ мера|терпимо|нормально|умеренно|приемлемо": 0,
        "в ~ мера ~ шумный|шуметь": 0, "терпимо|умеренно ~ шуметь": 0,
        "noise|noisy|loud ~ is|but ~ acceptable|tolerable|bearable|fine|ok|okay": 0,
    },
    "quality": {
        # «подсветку днём почти не видно», "the screen is hard to see in daylight"
        "подсветка|экран|дисплей|индикатор|цифра|надпись ~~ не ~ видно|видный|читаться": -1,
        "подсветка|экран|дисплей|индикатор ~~ плохо|еле ~ видно|видный": -1,
        "backlight|screen|display|numbers|digits ~~ hard|impossible ~ to ~ see|read": -1,
        "backlight|screen|display ~~ barely|hardly ~ visible": -1,
        # «держат долго», «служит долго»: lasting long is praise
        "держать|служить|работать ~ долго": 1, "долго ~ держать|служить|работать": 1,
        "держать ~ заряд ~ долго": 1,
        # «накипь уже через неделю»: the kettle scales up (negated: «накипи нет» praises)
        "накипь": -1, "накипь ~ нет": 1, "нет ~ накипь": 1, "без ~ накипь": 1,
        # mascara that «осыпается под глазами», "flakes under my eyes"
        "осыпаться": -1, "не ~ осыпаться": 1, "crumbles|flakes ~ off|under": -1,
        # a humidifier's «белый налёт на мебели», "white dust / residue everywhere"
        "появиться|оставлять|оставаться|остаться|белый ~ налет": -1, "налет ~ нет": 1,
        "нет ~ налет": 1, "без ~ налет": 1,
        "white ~ dust|residue|film": -1, "leaves|left|leaving ~ a ~~ residue|film": -1,
        "накипь ~ меньше": 1, "меньше ~ накипь": 1, "накипь ~ стать|становиться ~ меньше": 1,
        "желтеть": -1, "пожелтеть": -1, "щипать": -1,
        # a handle that gets hot (a kettle or a pan heating up is its job, not a fault)
        "ручка|ручки|рукоятка ~ нагреваться|греться|нагреться|горячий|обжигать|раскаляться": -1,
        "handle|handles ~ gets|get|got|is|are|becomes ~ hot": -1,
        "stings|stung|burns|burned ~~ eyes|eye|skin|face": -1,
        # an expired or nearly expired item («просрочка», «срок годности до следующего месяца»)
        "просрочка": -1, "просроченный": -1, "просрочить": -1,
        "срок ~ годность ~ до ~ следующий|этот ~ месяц": -1,
        "срок ~ годность ~ истекать|истечь|заканчиваться|закончиться": -1,
        "expired": -1, "expiry|expiration ~ date ~~ passed|close|soon|away|next": -1,
        "скатышек": -1, "pilled": -1,
        "катышек": -1, "катышка": -1, "скатываться": -1, "chipping": -1, "chipped": -1,
        "peeling": -1, "peeled": -1, "peels": -1, "flaking": -1,
        "продуваться": -1, "не ~ годиться": -1, "шататься": -1, "болтаться": -1,
        "задымиться": -1, "дымить": -1, "оплавиться": -1, "расплавиться": -1,
        "горелый": -1, "smoked|smoking|melted": -1, "burning ~ smell": -1,
        # "mine caught fire after 3 uses", «вспыхнула прямо в руках»
        "caught|catch|catches|catching ~ fire": -1, "burst ~ into ~ flames": -1,
        "воспламениться|вспыхнуть": -1,
        # bugs in food («внутри мошкара ползает», "weevils in the bag")
        "мошкара|жучок|жук|личинка|червь|червяк|моль|таракан": -1,
        "bugs|insects|weevils|maggots|larvae|worms|moths ~~ in|inside|crawling": -1,
        # «порезалась об неё в первый же день», "cut my finger on the blade": it hurt someone
        "порезаться|пораниться|травмироваться|поранить": -1,
        "cut ~ my|his|her|my son's|my daughter's ~ finger|fingers|hand|thumb": -1,
        "cut ~ myself": -1,
        "терять ~ связь|соединение|сигнал": -1, "отключаться": -1, "отваливаться": -1,
        "connection ~ drops|dropping|cuts": -1, "disconnects|disconnecting": -1,
        "cuts|cutting ~ out": -1,
        # «пауербанк сам разряжается», "only worked for 2 minutes"
        "сам ~ разряжаться": -1,
        # «ножи тупые прямо из коробки», "the blade is dull"
        "нож|ножи|лезвие|ножницы|точилка ~ тупой": -1, "тупой ~ нож|лезвие|ножницы": -1,
        "blade|blades|knife|knives|scissors ~ is|are|was|were ~ dull|blunt": -1,
        "dull|blunt ~ blade|blades|knife|knives": -1,
        "only ~ worked|lasted ~ for|about ~~ minutes|days|hours|weeks": -1,
        # "only charges when held at an angle", «заряжается, только если держать под углом»
        "only ~ charges|charge|works|work|connects|turns ~ when|if": -1,
        "работать|заряжаться|включаться|ловить ~ только ~ если|когда": -1,
        # "keeps losing wifi connection", "drops the bluetooth every hour"
        "lose|loses|losing|lost|drops|dropping ~~ wifi|wi-fi|connection|signal|bluetooth": -1,
        "wobble": -1, "wobbles": -1, "wobbly": -1, "wobbling": -1, "sinks": -1,
        "loosen|loosens|loosened|loosening": -1, "come|comes|coming ~ loose": -1,
        "эффект ~ не ~ заметить|увидеть|почувствовать": -1, "никакой ~ эффект": -1,
        "no|zero ~ effect|difference": -1,
        "didn't|didnt|did not ~ notice|see ~ any ~ difference|effect|change": -1,
        "pills": -1, "pilling": -1, "протереться": -1, "snags": -1,
        "began|started ~ to ~ pill": -1,
        # a handle that stays cool is praise (an iron that does not heat is not)
        "ручка|рукоятка|ручки ~ не ~ греться|нагреваться|нагреться": 1,
        "handle|handles ~ stays|stay ~ cool": 1,
        # "broke me out": the skin, not the item
        "broke|breaks|break ~ me ~ out": -1, "broke|breaks|break ~ my ~ skin|face ~ out": -1,
        "неравномерно|неравномерный ~ молоть|перемалывать|греть|прогревать|сушить|красить|"
        "прокрашивать|ложиться|помол": -1,
        "uneven|unevenly": -1, "потемнеть": -1, "tarnish|tarnished|tarnishes": -1,
        "can't|cannot|impossible|hard ~ to ~~ clean": -1,
        "невозможно|нельзя|трудно|сложно|тяжело ~ отмыть|помыть|почистить|разобрать": -1,
        # dye that comes off («красят руки и бельё в синий», "bleeds onto my sheets")
        "красить|окрашивать|пачкать|марать ~~ рука|руки|белье|кожа|ноги|одежда|простыня": -1,
        "stains|stained|dyed|bleeds|bled ~~ hands|skin|sheets|clothes|legs|shirt": -1,
        "colour|color|dye ~ bleeds|bled|runs|ran|transfers|transferred": -1,
        "colour|color|dye ~ comes|came|rubs|rubbed off": -1,
        "держать ~ тепло": 1, "stays|keeps ~ hot|cold|warm": 1, "звук": 0, "sound": 0,
        "ворс|пух|нитка|нитки ~ лезть": -1, "see through": -1, "с трудом": -1,
        "holds|hold|holding ~ tight|tightly|secure|securely": 1,
        "шнур|провод|кабель|ремешок|ремень|cord|cable|strap ~ короткий|коротковатый|short": -1,
        "шнурок|шнурки|лямка|лямки|laces|lace ~ короткий|коротковатый|short": -1,
        # «держит от силы 3 часа»: at most, below what was wanted
        "держать|работать|хватать|служить|греть ~ от ~ сила": -1,
        "tips|tipped|topples|toppled ~ over": -1, "tips if|when": -1,
        "опрокидываться|заваливаться|опрокинуться": -1,
        "takes|took ~ forever|ages ~ to": -1,
        # a towel «как наждачка» after washing, "like sandpaper"
        "как ~ наждачка|наждак|наждачный|картон|терка|проволока": -1,
        "like ~ sandpaper|cardboard": -1,
        # a hood the wind blows off, with no drawstring
        "сдувать|сдуть ~~ ветер|ветром": -1,
        "нет|без ~ утяжка|кулиска|затяжка|регулировка": -1,
        # a pillow that leaves the neck stiff
        "затекать|затечь": -1, "stiff ~ neck": -1,
        "тонкий|тонковатый ~ @material": -1, "@material ~ тонкий|тонковатый|хлипкий": -1,
        "thin|flimsy ~ @material": -1, "@material ~ thin|thinner": -1,
        "качество": 0, "качественный": 1, "некачественный": -1, "добротный": 1,
        "хлипкий": -1, "хрупкий": -1, "так себе": -1,
        "сделать ~ хорошо|качественно|добротно|отлично|плохо|ужасно|криво|халтурно": 0,
        "пошив": 0, "сборка": 0, "качественно": 1, "халтура": -1, "ширпотреб": -1,
        "дешево выглядеть": -1, "выглядеть дешево": -1, "одноразовый": -1,
        "quality": 0, "flimsy": -1, "sturdy": 1, "durable": 1, "solid": 1,
        "well made|built|constructed": 1, "poorly|badly|cheaply made|built": -1,
        "cheap|cheaply made|looking|quality": -1, "build quality": 0,
        "feels|feel|felt|looks|look|looked ~ cheap|flimsy|fragile": -1,
    },
    "delivery_speed": {
        # "had it take well over a month to arrive", "shipping time … is way off"
        "take|took|takes|taking ~~ month|months|weeks ~ to ~ arrive|come|get|deliver": -1,
        "shipping|delivery ~~ way ~ off": -1,
        "later than ~ promised|expected|stated": -1,
        "longer ~ than ~ stated|promised|expected|quoted|advertised": -1,
        "дольше ~ обещанный|обещать": -1,
        "вместо ~ обещанный|обещать ~ день|дня|дней": -1,
        "доставка": 0, "доставить": 0, "курьер": 0, "привезти": 0, "отправка": 0,
        # the pickup point: «ПВЗ ужасный, три раза ходила пока выдали»
        "пвз": 0, "пункт ~ выдача": 0, "pickup|pick-up ~ point|location": 0,
        "пвз|пункт ~~ закрыть|закрыться|закрытый|не ~ работать": -1,
        "не ~ мочь|смочь|получиться|дать ~ забрать|получить ~ заказ|посылка|товар": -1,
        "не ~ мочь|смочь|получиться|дать ~ забрать": -1,
        "задержка": -1, "опоздать": -1, "опоздание": -1, "задержать": -1,
        # a parcel lost on its way ("went missing" is no part missing from the box)
        "parcel|package|order|delivery ~ went|gone|got|was ~ missing|lost": -1,
        "посылка|заказ ~ потеряться|пропасть": -1,
        # "Where is my order?", "the tracking hasn't updated", «трек не обновляется»
        "where ~ is ~ my ~ order|parcel|package": -1, "где ~ мой|моя ~ заказ|посылка": -1,
        "tracking ~ hasn't|not|doesn't|didn't|isn't ~ updated|update|moved|moving|changed": -1,
        "трек ~ не ~ обновляться|меняться|двигаться": -1,
        # «очень долго шла посылка», «ехала почти месяц»: the parcel's journey
        "долго ~ шла|шел|шло|шли|ехала|ехал|ехало|ехали|добиралась|добирался|добиралось|"
        "добирались": -1,
        "посылка|заказ|товар ~ шла|шел|шло|ехала|ехал|ехало ~ долго|месяц|недели|неделю": -1,
        "@deliver ~ быстро|быстрый|вовремя|рано|раньше|моментально|оперативно|медленно|"
        "долго|поздно|поздний|молниеносно|шустро": 0,
        "@deliver ~ в срок": 1, "@deliver ~ за ~ день|дня|сутки|час": 0,
        "ждать ~ месяц|недели|неделю|вечность|долго|полгода": -1,
        "месяц|недели|неделю|полгода ~ ждать": -1, "не прийти|дойти|доехать": -1,
        "так и не ~ прийти|доставить|привезти": -1,
        "в срок": 0, "срок доставки": 0,
        "@deliver ~ через ~ день|дня|сутки": 0,
        "@deliver ~ недели|неделю|месяц|месяца": -1,
        "трек|отслеживание ~ не ~ обновляться": -1,
        # «ехал вместо 3 дней две недели», «привезли в другой пункт выдачи»
        "вместо ~ день|дня|дней|неделя": -1,
        "привезти|доставить|отправить ~ в ~ другой|чужой ~ пункт|пвз|город|адрес": -1,
        "привезти|доставить|отправить ~ не ~ в ~ тот ~ пункт|пвз|город|адрес": -1,
        "delivered|sent|shipped ~ to ~ the ~ wrong ~ pickup|pick-up|address|point|locker": -1,
        "delivery": 0, "shipping": 0, "shipped": 0, "arrived": 0, "delivered": 0,
        "courier": 0, "parcel": 0, "dispatch": 0,
        "took|waited ~ weeks|months|forever|ages|month|week": -1, "on time": 1, "late": -1,
        # "Ordered two weeks ago, still nothing", "ordered in May and still waiting"
        "ordered|order|paid ~~ still ~ nothing|waiting": -1,
        "arrived|came|delivered ~ early|quickly|fast|promptly|late|soon": 0,
    },
    "packaging": {
        # «коробка мятая, на подарок не годится»: the look of the box, not the item's quality
        "на|в ~ подарок ~ не ~ годиться|подойти|подходить": -1,
        "not ~ giftable": -1, "can't|cannot ~ give ~ it ~ as ~ a ~ gift": -1,
        "вскрыть": -1, "вскрытый": -1, "упаковка|коробка никакой": -1,
        "упаковать|упакованный|упаковка ~ на ~ совесть": 1,
        "упаковка": 0, "упаковать": 0, "упакованный": 0, "коробка": 0, "пакет": 0,
        "пупырка": 0, "пленка": 0,
        "packaging": 0, "package": 0, "packed": 0, "box": 0, "wrapped": 0, "packing": 0,
    },
    "instructions_language": {
        "бирка ~ ничего ~ не ~ понятно|написать|понять": -1,
        "инструкция|руководство ~ на ~ русский ~ нет": -1, "русский ~ нет": -1,
        "русский инструкция": 1, "на русский": 1, "на русский ~ язык": 1,
        "не перевести|переведенный|переводиться": -1,
        "приложение|меню|интерфейс ~ на ~ английский|китайский": -1,
        "инструкция": 0, "перевод": 0, "иероглиф": -1, "руководство": 0, "мануал": 0,
        "инструкция|руководство|мануал|описание ~ только ~ на|по ~ китайский|английский|"
        "иностранный|немецкий": -1,
        "инструкция|руководство ~ на|по ~ китайский|английский|иероглиф": -1,
        "нет|без|отсутствовать ~~ инструкция|руководство": -1,
        "не быть ~~ инструкция|руководство": -1,
        "инструкция|руководство ~ нет|отсутствовать": -1,
        "инструкция|руководство ~ не быть": -1,
        "инструкция|руководство ~ на|по ~ русский|русском": 1,
        "instruction": 0, "instructions": 0, "manual": 0, "translation": 0,
        # "step 6 is just missing": a step of the manual, not a part of the set
        "step|steps|page|pages|diagram|diagrams ~ is|are|was|were ~~ missing": -1,
        # "the setup was really complicated", «настройка сложная»: how it is set up
        "setup|set-up|installation|pairing|assembly ~~ complicated|confusing|cumbersome|"
        "nightmare|pain": -1,
        "complicated|confusing|difficult|hard ~ to ~ set|install|setup|assemble|pair": -1,
        "настройка|установка|сборка|подключение ~~ сложный|непонятный|муторный|запутанный": -1,
        "сложно|трудно|непонятно ~ настроить|установить|собрать|подключить": -1,
        "instructions|manual ~ only ~ in ~ chinese|english|german|russian": -1,
        "no|without|missing ~ instructions|manual": -1,
        "instructions|manual ~ unclear|confusing|useless|missing": -1,
        "instructions|manual ~ are|is|were|was ~ weak|poor|vague|bad|terrible|useless|unclear|"
        "confusing": -1,
        # "I can not seem to get it to work", «не могу настроить»: setting it up defeated the
        # buyer; whether it is faulty nobody knows yet
        "can't|cannot|can not|couldn't ~ get ~ it|this|them ~ to ~ work": -1,
        "не ~ могу|смог|смогла|получается ~ настроить|подключить|разобраться": -1,
    },
    "seller_service": {
        # "I waited 25 minutes to collect an order": the counter's wait, not the parcel's
        "waited|wait|waiting ~~ minutes|hour|hours|ages ~ to ~ collect|pick|be ~ served|seen": -1,
        "waited|waiting ~ 10|15|20|25|30|40|45|50 ~ minutes": -1,
        "ждать|прождать ~~ минута|час ~ на ~ кассе|выдаче|у ~ стойки": -1,
        "продавец": 0, "магазин": 0, "поддержка": 0, "менеджер": 0, "сервис": 0,
        "служба поддержки": 0, "игнорировать": -1, "хамить": -1,
        # "Rude staff at the counter", "the guy walked off", «продавец нахамил»
        "rude|unhelpful|dismissive ~ staff|assistant|cashier|manager|employee|guy|lady|man|"
        "woman": -1,
        "staff|assistant|cashier|manager|employee ~ was|were ~ rude|unhelpful|dismissive": -1,
        "walked|walk ~ off|away ~ mid|on ~ me": -1, "guy|staff|assistant ~ walked ~ off|away": -1,
        "хамство": -1, "не отвечать|ответить": -1, "шаблон": -1, "шаблонный": -1,
        "отписка": -1, "без ответ": -1, "copy paste": -1,
        # "the refund came through in 5 days with no arguing": credit where it is due
        "refund ~ came|went|was ~ through|fast|quick|quickly|promptly": 1,
        "no arguing|fuss|hassle|questions asked": 1, "без ~ лишних ~ вопросов": 1,
        # «поддержка никакая», «ноль ответа»: nothing from us is the complaint
        "поддержка|сервис|продавец|магазин ~ никакой": -1, "обратный связь ~ никакой": -1,
        "ноль ~ ответ|реакция|внимание": -1, "молчать": -1,
        "не вернуть ~ деньги": -1, "деньги ~ не вернуть": -1, "no refund": -1,
        "seller": 0, "support": 0, "service": 0, "refund": 0, "customer service": 0,
        "never|didn't|hasn't|haven't|doesn't|won't|didnt ~ answer|answered|reply|replied|"
        "respond|responded": -1,
        "did not ~ answer|reply|respond": -1,
        # "tried emailing about it, but didn't get a response"
        "didn't|didnt|never ~ get|got|receive|hear ~ response|reply|answer": -1,
        "heard nothing back": -1,
        "ignored|ignores|ignoring": -1, "responsive": 1, "unresponsive": -1,
        # money taken wrongly («списали дважды», "charged me twice"): our service's fault
        "charged ~ me|twice|again|us": -1, "double ~ charged|charge": -1,
        "got ~ charged": -1, "still ~ charged": -1,
        "списать ~ деньги|дважды|повторно": -1, "деньги ~ списать": -1,
        # «деньги списались два раза»
        "деньги ~ списаться": -1, "списаться ~ дважды|повторно|два|2": -1,
    },
    "price": {
        "дороговатый": -1, "дороговато": -1, "дороговат": -1,
        "деньги на ветер": -1, "waste of money": -1, "not worth it": -1,
        "за ~ свой|такой|этот|эти ~ деньги|цена": 0, "за ~ рубль": 0, "for the price": 0,
        "value": 0, "смотреться|выглядеть ~ дороже": 1,
        "цена": 0, "стоимость": 0, "дорогой": -1, "дорого": -1, "дешевый": 1, "дешево": 1,
        "недорого": 1, "недорогой": 1, "переплатить": -1, "переплата": -1,
        "завышенный": -1, "завысить": -1, "кусаться": -1, "дешевле": 0, "cheaper": 0,
        "стоить ~ свой|каждый ~ деньги|копейка|рубль": 1,
        "отрабатывать|отработать|оправдывать|оправдать ~ свой ~ цена|деньги|стоимость": 1,
        "свой ~ цена|деньги|стоимость ~ отрабатывать|отработать|оправдывать|оправдать": 1,
        "price": 0, "cost": 0, "priced": 0, "expensive": -1, "overpriced": -1, "cheap": 1,
        "affordable": 1, "bargain": 1, "worth ~ money|price|penny|it": 1,
        "value for money": 1, "pricey": -1,
        # a delivery subscription or fee is a price, not a delay
        "delivery ~ subscription|fee|pass|plan": 0, "подписка ~ на ~ доставка": 0,
        "платный ~ доставка": 0,
    },
    "other": {
        "товар": 0, "вещь": 0, "покупка": 0, "вещица": 0, "изделие": 0,
        "product": 0, "item": 0, "purchase": 0,
    },
}  # fmt: skip

assert set(ASPECT_PHRASES) == set(ASPECTS), set(ASPECTS) ^ set(ASPECT_PHRASES)

#: Aspects that, blamed in the same clause as a broader one, make the broader redundant:
#: «коробка помята» is transit damage, not a packaging remark.
SUBSUMES: dict[str, frozenset[str]] = {
    "packaging": frozenset({"defect", "transit_damage", "other"}),
    "quality": frozenset({"smell_material"}),
    "transit_damage": frozenset({"delivery_speed", "other", "quality"}),
    "wrong_item": frozenset({"size_fit", "colour_mismatch", "other", "delivery_speed"}),
    "shrinkage": frozenset({"size_fit", "quality", "other", "colour_mismatch"}),
    "colour_mismatch": frozenset({"description_mismatch", "other"}),
    "compatibility": frozenset({"size_fit", "other", "not_working"}),
    "missing_parts": frozenset({"packaging", "other", "instructions_language"}),
    "instructions_language": frozenset({"other"}),
    "not_working": frozenset({"quality", "other", "defect"}),
    "defect": frozenset({"quality", "other"}),
    "leak": frozenset({"quality", "other", "defect"}),
    "noise": frozenset({"quality", "other"}),
    "counterfeit": frozenset({"quality", "other"}),
    "smell_material": frozenset({"other"}),
    "description_mismatch": frozenset({"other"}),
}

#: Severe complaints: a praise word next to one of these, with no "but", is irony.
SEVERE = frozenset(
    "counterfeit wrong_item not_working defect missing_parts transit_damage leak "
    "shrinkage description_mismatch colour_mismatch compatibility".split()
)

#: Faults that leave the item unusable: no customer calls one of these minor in earnest
#: («сломался, остальное мелочи»), unlike a colour a shade off or a slight shrinkage.
UNUSABLE = frozenset(
    "counterfeit wrong_item not_working defect missing_parts transit_damage leak".split()
)

POSITIVE_WORDS = frozenset(
    "хороший отличный прекрасный супер классный понравиться нравиться довольный быстрый "
    "быстро аккуратный аккуратно целый удобный мягкий приятный рекомендовать спасибо "
    "идеально идеальный отлично хорошо замечательный вежливый оперативно оперативный "
    "соответствовать ответить помочь прочный надежный качественный норма нормальный шикарный "
    "шикарно класс круто крутой восторг обожать красивый красиво приятно удобно люкс "
    "благодарить благодарность довольна доволен замечательно великолепный "
    "чудесный молодец огонь топ кайф бомба лучший вовремя моментально молниеносно шустро "
    "рано раньше идеал порадовать радовать выручить оправдывать оправдать "
    "good great excellent perfect perfectly fast quick quickly nice love loved loves "
    "recommend recommended fine well happy awesome amazing polite helpful soft sturdy "
    "beautiful lovely gorgeous comfortable comfy thanks thank best wonderful fantastic "
    "superb pleased satisfied glad impressed promptly early nicely neatly совпадать легкий "
    "надежно советую советуем "
    "плотный адекватный нормально норм стандартный неплохой неплохо горячий точный крупный "
    "вместительный крепкий крепко ровный теплый тепло чистый warm strong powerful grippy "
    "comfy thick ok okay decent "
    "обалденный обалденно офигенный офигенно божественный восхитительный потрясающий "
    "потрясающе бесподобный волшебный вкусный вкусно ароматный stunning flawless delicious "
    "tasty".split()
)
NEGATIVE_WORDS = frozenset(
    "плохой ужасный отвратительный медленный медленно долго долгий грязный порвать "
    "порванный сломать кривой неприятный разочаровать разочарование хамство грубый "
    "кошмар ужас жуть отстой фу хуже возмутительный неудобный отвратительно ужасно "
    "плохо испорченный вонять поздно поздний кошмарный мерзкий гадкий отвратный "
    "разочарованный резкий едкий тесный хлипкий хрупкий позор обман обмануть развод "
    "жаль жалко увы дрянь дерьмо хлам мусор барахло некачественный бракованный "
    "нахамить хамить нагрубить грубить хамский грубо хамски "
    "убогий ужасно неудобно проблема минус недостаток тонкий тонковатый маркий пачкаться "
    "липкий стягивать линять электризоваться облезать слабый резковато неравномерно "
    "застревать сползать комковаться разводы потеть скользить скользкий комок просвечивать "
    "slower barely медленнее "
    # «-оватый»: the mild complaint of a Russian review («магниты слабоваты»)
    "слабоватый коротковатый длинноватый узковатый тесноватый жестковатый тяжеловатый "
    "хлипковатый громковатый шумноватый "
    "аллергия высыпание сыпь покраснение зуд раздражение покраснеть чесаться "
    "убожество лохотрон хрень фигня бред баг глюк глючный лагать тормозить "
    "overrated buggy laggy скучный скучно нудный нудно затянутый монотонный boring dull "
    "rash rashes allergic breakout breakouts irritation itchy "
    "bad terrible awful horrible slow late poor worst rude disappointed disappointing "
    "cheaply broke smelly nasty hate hated useless junk garbage trash waste scam "
    "unfortunately sadly problem issue issues complaint poorly annoying regret "
    "ridiculous excessive wasteful overkill".split()
)
#: "like" is praise only after a subject ("I like it"), not as a preposition ("smells like").
#: Negative words whose negation praises nothing: «чтобы не скучно было» under 1★ is no
#: praise of the vacuum cleaner, "not boring" is faint at best.
NEGATION_NEUTRAL = frozenset("скучный скучно нудный нудно монотонный boring dull".split())
LIKE_WORDS = frozenset({"like", "likes", "liked"})
LIKE_SUBJECTS = frozenset(
    "i we you they he she really also just would do did does don't didn't doesn't "
    "totally absolutely".split()
)
NEGATORS = frozenset(
    "не нет ни без никакой not no never without none nothing dont doesnt didnt wont cant "
    "isnt wasnt arent havent hasnt".split()
)

#: Words that may stand between a negator and what it negates («не очень удобно»).
NEGATION_BRIDGE = frozenset(
    "очень слишком особо особенно совсем сильно вообще сразу было был была были будет "
    "так такой такая такое все всегда very really too that so at all any be is was "
    "quite always even единый единая единой единого одной одного ни single a an".split()
)

#: Phrases that claim their words for no aspect («как и ожидалось», "original box").
NON_ASPECT_PHRASES = (
    # «пигментные пятна стали меньше»: the buyer's skin, not a stain on the item
    "пигментный ~ пятно",
    "age|dark|sun ~ spots",
    # "a load of plastic air pillows": the packing's plastic, not the item's material
    "plastic ~ air|bubble|packing|packaging|wrap|bags|bag|pillows|peanuts|filler",
    # "trying to use a different belt just doesn't work": the buyer's workaround failed, not
    # the item
    "different|another ~~ just|simply ~ doesn't|didn't|won't|does not|did not ~ work",
    "different|another ~~ doesn't|didn't|won't ~ work",
    # "blocks out a noisy bus": where the buyer uses it, not what it does
    "noisy|loud ~ bus|train|tube|subway|plane|flight|street|road|room|office|place|places|"
    "environment|environments|restaurant|restaurants|cafe|gym|city|area|areas|background|"
    "crowd|crowds|kids|neighbours|neighbors|house|household|commute|concert|concerts|bar|bars",
    "шумный ~ улица|офис|метро|транспорт|поезд|самолет|место|помещение|соседи|город|кафе",
    # "noise cancellation cuts out": a feature that fails, not a noisy item
    "noise ~ cancellation|cancelling|canceling|reduction|isolation",
    # "detailed information is not part of the package": an idiom, not the box
    "part ~ of ~ the ~ package|deal",
    # "(according to the manufacturer's instructions) it began to pill": the buyer followed them
    "according|as ~ to ~ the ~~ instructions|label|directions",
    "following|followed ~ the ~~ instructions|directions",
    # «тупые прямо из коробки», "dull right out of the box": brand new, not the box
    "прямо|сразу ~ из ~ коробка",
    "out ~ of ~ the ~ box",
    # "sorry clicked the wrong one": the buyer's slip on the stars, not a wrong item
    "clicked|pressed|tapped|hit|picked ~ the ~ wrong",
    "meant ~ to ~ give|leave ~ 5|five|4|four",
    "случайно ~ поставить|нажать",
    "не ~ та ~ звезда|оценка",
    # "dry cleaned rather than risk shrinkage": a precaution, not a shrink
    "risk|avoid|prevent|prevents|avoids ~ shrinkage|shrinking|shrink",
    "чтобы ~ не ~ сесть|садиться",
    # «в другой пункт выдачи», «на другом конце города»: a place, not another item
    "другой ~ пункт|пвз|адрес|город|конец|район|склад",
    # «в других магазинах ничего не нравилось»: other shops, not this one
    "другой ~ магазин|продавец|бренд|сайт|маркетплейс|фирма",
    "other ~ shops|stores|sellers|brands|websites|sites",
    "original box|packaging|package|price|order|size|one|version|design|tags|receipt",
    "как и ожидать|ожидаться",
    "сам товар",
    "fit in|into",
    "like|unlike ~ the|an ~ original",
    "the original one",
    "в коробка",
    "на коробка",
    "on the box",
    "думать ~ ждать",
    "медленнее|хуже|лучше|быстрее|дешевле|чем ~ оригинал",
    "подлиннее",
    "soft ~ light|glow|lighting",
    "back|lumbar|arch|neck|head|wrist ~ support",
    # «волосы стали мягкие»: the hair, not the fabric
    "волос|волосы|кожа|кожу ~ мягкий|мягкая|мягкие|мягче",
    "волос|волосы|кожа ~ стать ~ мягкий|мягкая|мягкие|мягче",
    "light|lighting|glow ~ is|was ~ soft",
    # support's "same reset instructions" is no manual in the box
    "reset|same|troubleshooting ~ instructions|steps",
    # «потом не оторваться»: can't put it down, no part came off
    "не ~ оторваться|оторвать",
    # "while I work late", "late at night": the buyer's hours, not the parcel's
    "work|working|worked|stay|stayed|up|sleep ~ late",
    "late ~ at ~ night",
    "late night",
    # «острые из коробки», "works out of the box": straight away, not the parcel
    "из коробка",
    "out of ~ the ~ box",
    # "on my third box", «беру третью упаковку»: a repeat purchase
    "second|third|fourth|fifth|next ~ box|pack|package|bottle",
    "второй|третий|четвертый|пятый ~ упаковка|коробка|пачка",
    # "crushed ice", «колотый лёд»: an ingredient, not a parcel
    "crushed ~ ice|nuts|garlic|pepper|tomatoes",
    # "I want a refund": what the buyer asks for, not a complaint about our service
    "want|need|demand|get ~ a|my ~ refund",
    # «пружина тугая» on a pruner or a clamp: made to be firm
    "пружина ~ тугой",
    # «глаза сломали»: eye strain from small print, not a broken item
    "глаз|глаза ~ сломать",
    "сломать ~ глаз|глаза",
    # «пришёл серо-грязный»: a dull colour, not a dirty item
    "прийти|приехать|прислать ~ серо|буро|желто|зелено|коричнево|розово|бело|черно|сине|рыже "
    "грязный",
    # «товар надлежащего качества»: the marketplace's reason for refusing a return
    "надлежащий ~ качество",
    # "the filter is easy to pop out and rinse": made to come out
    "easy|easily ~ to ~ pop|pops|popped ~ out|off",
    "pops|pop|popped ~ out|off ~ easily",
)

#: Whole-phrase cues; tag "complaint" / "praise" weigh like polar words, "sarcasm" marks
#: ironic praise (it counts only beside a complaint).
CUE_PHRASES: dict[str, dict[str, int]] = {
    "complaint": {
        "выкинуть|выбросить|выброшенный деньги": -1,
        "не рекомендовать|советовать": -1, "не покупать|брать": -1,
        "верните|вернуть ~ деньги": -1, "оформить|сделать возврат": -1,
        "зря ~ купить|заказать|потратить": -1, "больше не ~ купить|заказать|брать": -1,
        "позже обещать|обещанный|заявленный|срок": -1,
        "вместо ~ обещать|обещанный|заявленный": -1,
        "на ~ день|дня|неделю|недели ~ позже|дольше": -1,
        "не стоить ~ деньги|денег": -1, "пожалеть": -1, "жалеть": -1,
        "так и не": -1, "мочь бы": -1, "could have been": -1,
        "одно расстройство": -1, "не советую": -1,
        "waste of time": -1, "ожидать ~ больше|больший|хороший|лучше": -1,
        "еле|едва ~ хватить|хватать": -1, "barely ~ lasted|lasts|last": -1,
        "known issue": -1,
        # what a broken toy does to a child («ребенок в слезах», "my son cried")
        "ребенок|ребёнок|дочка|дочь|сын|малыш ~ в ~ слезы|слезах": -1,
        "ребенок|дочка|сын ~ плакать": -1,
        "unusable": -1, "useless": -1,
        "expected ~ better|more": -1, "could ~ be ~ better": -1,
        "not ~ as ~ good|great|nice ~ as": -1, "over ~ rated": -1,
        "ничего ~ общий ~ с": -1,
        "don't|wouldn't|dont ~ buy|recommend": -1,
        "do|would not ~ buy|recommend": -1,
        "returned|returning ~ it|them|this": -1, "not worth": -1, "never again": -1,
        "stay away": -1, "save your money": -1, "nowhere near": -1,
        # «шнурки слишком короткие»: "too …" is a remark on its own (negated, «не слишком
        # дорогой», it flips to praise)
        "слишком|чересчур ~ короткий|длинный|узкий|широкий|тонкий|жесткий|твердый|тяжелый|"
        "громкий|яркий|тусклый|маленький|мелкий|большой|тугой|скользкий|хрупкий|сладкий|"
        "горький|соленый|острый|дорогой|жидкий|густой|толстый|низкий|высокий|короткий|"
        "слабый|медленный|горячий|холодный|мягкий|сильный|резкий": -1,
        "too ~ short|long|narrow|thin|stiff|hard|heavy|loud|bright|dim|sweet|salty|runny|"
        "thick|slow|weak|hot|cold|expensive|flimsy|small|big|tight|loose|low|high|"
        "sensitive|fragile|slippery|bulky|quiet|dark|tiny": -1,
        "only|one|my|minor ~ gripe|complaint|niggle|quibble|knock|downside": -1,
        # a concession beside praise: «шумодав конечно не как у эирподсов, но…»
        "конечно ~ не ~ как ~ у": -1,
        "не как у ~ оригинал|дорогой|airpods|эирподс*|аирподс*|эйрподс*|айрподс*|apple|дайсон*|"
        "dyson": -1,
    },
    "praise": {
        "рекомендовать": 1, "советую|советуем": 1, "буду ~ заказывать|брать|покупать": 1,
        # regret at not buying sooner is praise («жалею, что не купила раньше», "wish I'd
        # bought it sooner")
        "пожалеть|жалеть|жаль ~ что ~ раньше|давно ~ не": 1,
        "пожалеть|жалеть|жаль ~ что ~ не ~ купить|заказать|взять ~ раньше": 1,
        "надо|нужно ~ было ~ раньше ~ купить|заказать|брать|взять": 1,
        "wish ~ i|i'd|we|we'd ~ bought|ordered|found|got|gotten|discovered|purchased|tried ~~ "
        "sooner|earlier|ago|before": 1,
        "should|shoulda ~ have|'ve ~ bought|ordered|gotten|got ~~ sooner|earlier|ago": 1,
        "спасибо продавец|магазин": 1, "10 из 10": 1, "пять звезд": 1, "всем доволен": 1,
        "would|will ~ buy|order ~ again": 1, "highly recommend": 1, "love it": 1,
        "so|very|really pretty|cute": 1, "на высоте": 1,
        "five stars": 1, "works as expected": 1,
        "минус|недостаток|проблема|нарекание|претензия|замечание ~ нет|отсутствовать": 1,
        "минус|недостаток|проблема|нарекание|претензия|замечание ~ не ~ найти|обнаружить|"
        "быть|выявить|заметить": 1,
        "без ~ минус|недостаток|нарекание|претензия|проблема": 1,
        "на совесть": 1, "то ~ что ~ надо|нужно": 1, "exactly what i needed": 1,
    },
    "sarcasm": {
        "спасибо ~ что ~ испортить|сорвать|обмануть|подсунуть|кинуть|прислать": 1,
        "ну спасибо": 1, "спасибо ~ за ~ брак|подделка|обман|испорченный|сломанный|"
        "разбитый|вонь|дырка|мусор|барахло|хлам|кота|развод": 1,
        "подарок мечты": 1, "ничего не скажешь": 1, "отдельное спасибо": 1,
        "just what you want|need": 1, "truly a premium": 1,
        "мечта ~ а не": 1, "браво": 1,
        "ну супер|класс|отлично|прекрасно|замечательно|просто": 1,
        "ну ~ просто|прям ~ восторг|сказка|мечта": 1,
        "thanks for nothing": 1, "yeah right": 1,
        # "love paying $38 for a jar that's half empty"
        "love|loving ~ paying|spending": 1,
        "great|nice|good|brilliant|fantastic|excellent|amazing|awesome|superb|stellar ~ job|design|"
        "work|quality ~ guys|team|folks": 1,
        "да конечно": 1, "ага конечно": 1, "говорите": 1, "ага щас": 1, "ага, щас": 1,
        "truly|really ~ impressive ~ engineering|quality|design": 1,
        "thanks|thank ~ for ~ broken|fake|wrong|damaged|nothing|junk|garbage": 1,
        # «спасибо большое за подарочек 🙃»: thanks for a "gift" that fell apart
        "спасибо ~ за ~ подарочек|сюрприз|сюрпризик": 1, "thanks for the surprise": 1,
    },
    # The customer calls the complaint minor («но это мелочь», "otherwise great"): a
    # remark inside a review that is not negative overall.
    # Praise given as the one consolation («единственный плюс — коробка красивая», "at
    # least it's a nice colour"): the rest of the review is the complaint, and the praise
    # no sign of stars set by mistake.
    "consolation": {
        "единственный ~ плюс|достоинство|радость": 1, "из ~ плюс ~ только": 1,
        "хотя бы|хоть ~ цвет|коробка|упаковка|пахнуть|выглядеть|красивый|красиво": 1,
        "at least": 1, "the only ~ good|positive|plus|upside|redeeming": 1,
        "only ~ plus|positive|upside|good thing": 1,
    },
    "minor": {
        "мелочь": 1, "некритично": 1, "не ~ критично|критичный|страшно|смертельно": 1,
        "в остальном": 1, "можно пережить": 1, "otherwise": 1, "minor": 1,
        "not a big deal": 1, "no big deal": 1, "not a dealbreaker|deal-breaker": 1,
        # the buyer's overall verdict beside the complaint («в целом довольна», "overall
        # happy with it")
        "в целом ~ довольный|доволен|довольна|довольны|нравиться|устраивать": 1,
        "overall ~ happy|pleased|satisfied": 1,
        # a smell that is already gone («запах ушёл», "it aired out in a day"): the aspect
        # stays a smell complaint, the review calls it passing (not «надеюсь, выветрится»)
        # (adjacent words: «запах не ушёл» is no passing smell)
        "запах ушел|выветрился|пропал|исчез|прошел": 1, "aired out": 1,
        "smell|odor|odour went|faded|disappeared": 1, "smell|odor|odour is gone": 1,
    },
    # The buyer turns the difference into a plus («темнее, чем на фото, но мне даже больше
    # нравится», "smaller than I thought but I actually prefer it"): no remark to answer.
    "turned": {
        "но ~ мне ~ даже ~ больше ~ нравиться|понравиться": 1,
        "так ~ даже ~ лучше": 1, "но ~ так ~ даже ~ лучше|интереснее|красивее": 1,
        "но ~ мне ~ так ~ даже ~ больше ~ нравиться": 1,
        "but ~ i ~ actually ~ like|love|prefer ~ it|that": 1,
        "but ~ i ~ like|love ~ it ~ even ~ more|better": 1, "which ~ i ~ actually ~ prefer": 1,
        "even better ~ in ~ my ~ opinion": 1, "но ~ это ~ плюс|скорее плюс": 1,
        "but ~ that's|thats ~ a ~ plus|good thing": 1,
        # a fault the seller put right («прислали замену», "sent a replacement right away")
        "sent|send|sending ~ a ~ replacement": 1, "sent|send|sending ~ a ~ new ~ one": 1,
        "replaced ~ it|them": 1,
        "прислать|отправить ~ замена|новый": 1, "быстро ~ заменить|решить": 1,
        # «менеджер Ольга быстро помогла и оформила замену», "support sorted it in one email"
        "оформить ~ замена|возврат": 1,
        "менеджер|поддержка|оператор|консультант|продавец ~~ помочь|решить|заменить": 1,
        "service|support|seller ~~ sorted|resolved|fixed|replaced|refunded": 1,
        # a child's size taken big on purpose («на вырост», "room to grow")
        "room ~ to ~ grow": 1, "на вырост": 1,
        # «дороговаты, но оно того стоит», "pricey but worth it"
        "но ~ оно ~ того ~ стоить": 1, "но ~ того ~ стоить": 1,
        "but ~ it's|its|it ~ worth ~ it": 1, "but ~ worth ~ it|every": 1,
    },
    # A fault the buyer feared before it came («Боялась, что будет маломерить», "I was worried
    # it would leak", «читала отзывы про запах»): what follows, up to a "но" / "but" or the
    # end of the sentence, is no complaint by itself (aspects.py, `_feared_faults`).
    "feared": {
        "бояться|опасаться|переживать|побаиваться|волноваться": 1,
        "думал|думала|думали ~ что|будет|будут": 1,
        "читать|прочитать|начитаться ~ отзыв|отзывы": 1, "после ~ отзыв|отзывов": 1,
        "в ~ отзыв|отзывах ~ писать|пишут|жалуются|жаловаться": 1,
        "was|were|i'm|am ~ worried|afraid|scared|nervous|concerned": 1,
        "i ~ worried|feared": 1, "с опаска|опасение|сомнение": 1,
        "was|were ~ skeptical|sceptical": 1,
        "thought|expected ~ it|they|this|that ~ would|might|will": 1,
        "some|many|few ~ reviewers|reviews|people|buyers ~ mention|mentioned|complain|"
        "complained": 1,
        "read ~ reviews|review ~ about|that|saying|mentioning": 1,
    },
    # The fear did not come true («но нет», «ничего подобного», «зря», «у меня всё ок»,
    # "nope", "mine had none", "but it doesn't"): the feared aspect is praised.
    "refuted": {
        "ничего подобного": 1, "зря|напрасно": 1, "не ~ подтвердиться|оправдаться": 1,
        "у ~ меня|нас ~ нет|такого|никакой|никакого|ничего": 1,
        "у ~ меня|нас ~ все|всё ~ хорошо|отлично|нормально|ок|идеально|порядок": 1,
        "мне ~ прийти|попасться|достаться ~ все|всё|целый|нормальный|хороший|отличный": 1,
        "nope": 1, "not ~ at ~ all": 1, "not ~ the ~ case": 1, "no ~ such ~ problem|issue": 1,
        "mine ~ had|has|came|was|is ~ none|no|fine|perfect|ok|okay|great|intact": 1,
        "but ~ it|they|mine ~ doesn't|didn't|isn't|wasn't|don't|aren't|doesnt|didnt": 1,
        "but ~ it|they|mine ~ does|did|is|was|do|are ~ not": 1,
        "no ~ problems|issues ~ so ~ far|at ~ all": 1,
    },
    # The fear came true («так и вышло», «не зря боялась», "sure enough"): a complaint.
    "confirmed": {
        "так ~ и ~ вышло|получилось|оказалось|есть": 1, "и ~ правда|действительно": 1,
        "не зря": 1, "оправдаться": 1,
        "sure ~ enough": 1, "and ~ it|they ~ did|does|do|is|was": 1, "as ~ i ~ feared": 1,
        "turned ~ out ~ true|right": 1,
    },
    # The buyer's own day, not the item or the parcel ("while I work late", «поздно вечером»):
    # the polar words inside say nothing of the purchase.
    "neutral": {
        "work|working|worked|stay|stayed|up|sleep ~ late": 1, "late ~ at ~ night": 1,
        "late night": 1, "поздно ~ вечером|ночью": 1,
        # a product's name, not its speed: "Great slow cooker", «медленноварка»
        "slow cooker|cookers": 1, "slow-cooker": 1, "slow juicer": 1,
        # "my senior cat with kidney issues", «у кота проблемы с почками»: a condition
        "kidney|joint|joints|skin|health|digestive|tummy|stomach|weight|dental|breathing ~ "
        "issues|problems": 1,
        "проблема ~ с ~ почка|сустав|кожа|желудок|пищеварение|здоровье|вес": 1,
    },
    # Said in earnest just as often ("Just great." as a title, "I love how it drapes"):
    # ironic only beside a complaint in the same sentence ("Just great, it broke again").
    "sarcasm-near": {
        "just great": 1, "just perfect": 1, "love it when": 1, "wow great": 1,
        "oh great": 1, "love how": 1, "great job": 1, "wow thanks": 1, "thanks a lot": 1,
        "thanks a bunch": 1,
        # "Great, another pair that only plays in the left ear"
        "great|wonderful|fantastic|perfect ~ another": 1,
    },
}  # fmt: skip

#: Praise that evaluates the item itself: next to a severe complaint with no "but", irony
#: («отличное качество, развалилось через день»); speed and thanks words are not in it.
IRONY_PRAISE = frozenset(
    "отличный прекрасный супер классный шикарный идеальный замечательный великолепный "
    "чудесный качественный прочный надежный класс огонь топ бомба восторг шикарно отлично "
    "идеально прекрасно замечательно круто крутой "
    "great excellent perfect awesome amazing wonderful fantastic superb sturdy durable "
    "nice brilliant lovely".split()
)
#: Words that judge the item itself; a clause holding one and no aspect trigger is a
#: quality judgement («Тёплый, лёгкий», «Хорошие наушники», «закипает быстро»).
QUALITY_WORDS = frozenset(
    "теплый тепло удобный удобно неудобно неудобный легкий вместительный прочный крепкий "
    "крепко надежный мощный слабый тонкий тонковатый качественный добротный "
    "горячий точный скользкий маркий пачкаться липкий комок просвечивать "
    "стягивать линять электризоваться облезать крупный резковато неравномерно застревать "
    "сползать комковаться разводы потеть скользить чистый "
    "warm comfy comfortable sturdy solid light lightweight strong powerful flimsy thin "
    "fast quickly slow slower handy grippy thick barely".split()
)
#: Adverbs that judge the item only when they qualify what it does («готовит отлично»,
#: «сушит долго»), not the buyer («долго выбирала»).
QUALITY_ADVERBS = frozenset(
    "отлично хорошо неплохо нормально плохо ужасно идеально прекрасно быстро медленно "
    "долго медленнее".split()
)
#: Verbs of the buyer, not of the item: their adverbs judge nothing about it.
BUYER_VERBS = frozenset(
    "ждать выбирать искать думать ехать идти везти добираться решаться собираться "
    "оформлять сомневаться".split()
)
#: The buyer's own search or doubt: a speed adverb beside one judges the buyer, not the item
#: or the parcel («Долго искал льняную рубашку», «долго сомневалась»); «долго ждала» does
#: judge the delivery and is not here.
DELIBERATION_VERBS = frozenset(
    "искать выбирать подбирать думать сомневаться решаться присматриваться".split()
)
#: A cons field (or a «Недостатки:» section) that holds only one of these names no drawback
#: («Ничего», «Нет», "Nothing so far"): the customer found nothing to blame.
NO_DRAWBACK_ANSWERS = frozenset(
    {
        "нет", "ничего", "нету", "не нашла", "не нашел", "не нашёл", "не обнаружено",
        "не обнаружила", "не обнаружил", "пока нет", "пока ничего", "нет минусов",
        "минусов нет", "отсутствуют", "никаких", "-", "—", "nothing", "nothing so far",
        "none", "none so far", "no", "n/a", "na", "nope", "none yet", "nothing yet",
    }
)  # fmt: skip
#: Contrast words: praise before one of these and a complaint after it is a mixed review
#: (a remark), not irony.
CONTRAST = frozenset(
    "но однако зато хотя только правда жаль единственный минус недостаток кроме "
    "but however though although except only unfortunately sadly downside".split()
)
#: Emoji and smileys that read as praise; next to a complaint and nothing praised, irony.
POSITIVE_EMOJI = ("👍", "👌", "😊", "🙂", "😁", "😄", "👏", "❤", "😍", "🔥", "🥰", "💯", "⭐")
#: Emoji that complain by themselves.
NEGATIVE_EMOJI = ("👎", "😡", "🤬", "😤", "💩", "😠")
#: Emoji that read as irony or exasperation: beside any complaint, sarcasm.
IRONY_EMOJI = ("🙃", "🤡", "😒")
