"""Given names we greet by: a name not listed here is not greeted (better no name than
«Здравствуйте, Котик_99!»). Russian forms include the common short ones buyers sign with."""

from __future__ import annotations

_RU = """
александр александра алексей алена алёна алина алиса алла анастасия анатолий андрей анжела
анжелика анна антон арина аркадий арсений артём артем артур богдан борис вадим валентин
валентина валерий валерия варвара василий василиса вера вероника виктор виктория виталий
владимир владислав влада вячеслав галина геннадий георгий герман глеб григорий дарья денис
диана дина дмитрий евгений евгения егор екатерина елена елизавета жанна зарина захар зоя
иван игорь илья инна ирина карина кира кирилл клавдия константин кристина ксения лариса лев
леонид лидия лилия любовь людмила маргарита марина мария марк матвей милана мирон михаил
надежда наталья наталия никита николай нина оксана олег ольга павел полина раиса регина
роман руслан светлана семён семен сергей снежана софия софья станислав степан таисия тамара
тарас татьяна тимофей тимур ульяна фёдор федор эвелина элина эльвира эмилия юлия юрий яна
ярослав ярослава алёша аня ася валя вика вова галя даша дима женя зина ира катя коля костя
ксюша лена лёша леша люба люда маша миша надя настя наташа оля паша полина саша света серёжа
сережа соня таня толя юля эдуард святослав ростислав всеволод лиза варя вася петя милена
дарина злата стефания олеся алеся эльмира гульнара айгуль рустам ильдар азат динара камила
"""
_EN = """
aaron adam adrian aidan alan albert alex alexander alexandra alice alicia alison amanda amber
amelia amy andrea andrew angela ann anna anne anthony ashley barbara ben benjamin beth brian
bruce carl carol caroline catherine charles charlie charlotte chris christine christopher
claire daniel david deborah dennis diana donald dorothy edward elena elizabeth ella emily
emma eric ethan frank gary george grace hannah harry helen henry isabella jack jacob james
jane janet jason jennifer jessica joan joe john jonathan joseph joshua julia julie justin
karen kate katherine kathleen kelly kevin laura lauren linda lisa lucy luke margaret maria
mark martha mary matthew megan melissa michael michelle mike natalie nathan nicholas nicole
noah oliver olivia pamela patricia patrick paul peter rachel rebecca richard robert ryan
samantha samuel sandra sara sarah scott sean sophia sophie stephen steve steven susan thomas
tim timothy tom tony victoria william zoe dan danny jake sam max josh nick matt jim bob
bill liz kim jen jenny katie becky molly abby chloe ruby mia leah jess tess nina rose lily
ellie jade gemma holly dave rob ted will alfie jamie callum connor liam mason logan lucas
owen dylan tyler kyle brandon derek greg jeff ken ray ron phil neil ian gordon stuart graham
keith colin craig dean carlos jose luis ana priya raj omar ali jo lou zach zack alexis
tanya diane sandy sandra susie sue judy judith debbie debra denise donna doris brenda
cindy cynthia cheryl connie kathy cathy kathryn carrie christina tina tracy tracey wendy
shirley sharon sheila sally shelly shelley teresa theresa terri tammy vicki vicky valerie
veronica virginia vanessa yvonne wanda rita rosa ruth marie marilyn marjorie maureen
melanie monica nancy norma paula peggy penny phyllis rhonda robin roberta gloria gail
joyce june jean jeanne jeannie jill joanne jodi jacqueline janice gina heather heidi irene
jackie jenna joy julianne kristen kristin kristy lori loretta lynn lynda marcia marsha
martina meg megan melinda mindy misty nora pam patty rachael renee roxanne stacy stacey
stephanie tara toni trisha beverly bonnie carla carmen colleen dana darlene dawn ellen
erin evelyn frances gwen hazel ingrid kelsey kristina leslie lindsay lindsey lucia
mandy marian mariana nadia naomi natasha olga irina svetlana katya sasha anya masha
andy arthur austin barry bradley brett bryan chad chuck clint curtis dale darren doug
douglas duane earl eddie edwin eugene frederick fred gabriel gerald glenn harold howard
jared jeffrey jeremy jerry jesse joel jon jordan juan kenneth larry lee leonard louis
marcus martin marvin melvin mitchell nathaniel norman oscar perry ralph randy raymond
ricky rick roger ronald roy russell shane shawn stanley terry todd travis trevor troy
vincent wayne walter warren wesley victor vic hank hal herb ernie gus
kev tasha tash mick mikey jimmy johnny tommy danny benny becca abby gabby maddie lizzie annie
ellie millie molly polly sally patty cathy kathy debbie deb sue suzy lou nat nate zach zack
ahmed ahmad mohammed muhammad mohamed omar khalid tariq amir yusuf hassan fatima aisha zainab
yasmin layla priya pooja neha anjali ravi raj arjun anil sunil deepak wei diego sofia javier
alejandro pablo sergio andres camila valentina isabella gabriela mehmet emre hiroshi yuki kenji
"""
GIVEN_NAMES: frozenset[str] = frozenset((_RU + _EN).split())
