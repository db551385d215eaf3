"""What ideas are about: words residents use for the same thing (Swedish, English, Arabic),
and the stop words that say nothing about it.

Two ideas rarely share their words ("bänkar längs ån", "sittplatser vid älven"), so each
word is also read as the *thing* it names (seating, lighting, playground …). The topics
are the usual ones of participatory budgets, not the labelled set's pairs.

Entries are matched against a word after Snowball stemming (Latin script) or after
normalisation (Arabic script, see ``budgeting.similarity``):
``"bänk"`` — the stem is that word, or ends in it (a Swedish compound's head: ``parkbänk``);
``"cykel*"`` — the stem begins with it (a compound's first part: ``cykelväg``);
Arabic entries are found anywhere in the word (its prefixes and suffixes vary).
"""

from __future__ import annotations


def _entries(text: str) -> tuple[str, ...]:
    """Entries separated by ``|`` (an Arabic entry may be two words)."""
    return tuple(e.strip() for e in text.split("|") if e.strip())


TOPICS: dict[str, tuple[str, ...]] = {
    "seating": _entries(
        "bänk | sittplats | sitt | sitta | soff | vilplats | vil | bench | seat | "
        "seating | sit | مقعد | مقاعد | جلوس | كراسي | "
    ),
    "lighting": _entries(
        "belysning | lamp | lampa | lampor | gatlykt | lykt | gatljus | ljus | mörk | "
        "mörkr | becksvart | elljus* | light | lamp | dark | unlit | مصابيح | مصباح | "
        "اضاء | اضواء | ضوء | مظلم | ظلام | "
    ),
    "play": _entries(
        "lekplats | lek* | gung | rutschkan | sandlåd | klätterställning | playground | "
        "swing | slide | climbing | ملعب اطفال | العاب | اراجيح | ارجوح | زحليق | "
    ),
    "dog": _entries("hund* | dog | puppi | كلب | كلاب | "),
    "exercise": _entries(
        "utegym | gym | träning* | träna | styrketräning | chins* | dips* | motion* | "
        "löparspår | workout | exercis | fitness | pull-up | تمارين | رياض | "
    ),
    "waste": _entries(
        "papperskorg | soptunn | tunn | sop | skräp | latrin | påsautomat | bin | "
        "trash | litter | rubbish | garbag | نفايات | قمام | "
    ),
    "skate": _entries("skate* | ramp | bowl | kickbik | skateboard | تزلج | "),
    "toilet": _entries("toalett | toa | wc | toilet | restroom | مرحاض | دورة مياه | "),
    "speed": _entries(
        "farthind | gupp | hastighet | fort | avsmalning | fartkamer | speed | bump | "
        "speeding | مطب | سرع | "
    ),
    "cycling": _entries("cykel* | cykl | bike | cycl | bicycl | دراج | "),
    "path": _entries(
        "väg | gångväg | stig | promen* | gångstig | trottoar | path | walkway | "
        "footpath | lane | sidewalk | walk | طريق | ممر | رصيف | "
    ),
    "school": _entries("skol* | förskol* | school | pupil | مدرس | تلاميذ | "),
    "train": _entries("tågstation | station | tåg | pendl | station | قطار | محط | "),
    "bus": _entries("buss* | hållplats | busskur | bus | حافل | باص | "),
    "shelter": _entries("tak | väderskydd | kur | shelter | roof | مظل | "),
    "charging": _entries(
        "laddstolp | laddplats | ladda | laddar | laddning | elbil | charging | charger | شحن | "
    ),
    "football": _entries("fotboll* | konstgräs | football | soccer | كرة القدم | "),
    "ball_games": _entries(
        "basket* | innebandy | multiaren | multisportaren | spontanidrott* | basketbal | "
        "كرة السلة | "
    ),
    "flowers": _entries("blomm* | blomst* | plantering | blomlåd | flower | زهور | ورود | "),
    "fruit": _entries(
        "fruktträd | äppelträd | bärbusk* | vinbär | krusbär | ätbar | frukt* | fruit | "
        "berri | apple | فواكه | اشجار مثمر | "
    ),
    "snow": _entries("snö* | plog* | snöröjning | snow | plough | plow | ثلج | ثلوج | "),
    "youth": _entries(
        "fritidsgård* | ungdomsgård* | ungdom* | tonåring* | youth | teen | شباب | مراهق | "
    ),
    "weekend": _entries("helg* | lördag | söndag | weekend | عطل | "),
    "swimming": _entries(
        "brygg | bad* | bada | badplats | hopp | jetti | pier | dock | swim | سباح | رصيف سباح | "
    ),
    "grill": _entries("grill* | eldstad | engångsgrill | bbq | barbecu | شواء | مشو | "),
    "internet": _entries(
        "wifi | trådlös* | internet | nätverk | nät | surfa | mobildata | wireless | "
        "wi-fi | انترنت | واي فاي | شبك | "
    ),
    "defibrillator": _entries(
        "hjärtstartar | defibrillator | hjärtstopp | defibril* | مزيل الرجفان | رجفان | "
    ),
    "crossing": _entries("övergångsställ | passag | korsa | crossing | zebra | عبور | "),
    "christmas": _entries("jul* | advent | ljusslinga | christma | festive | عيد الميلاد | "),
    "water_play": _entries(
        "vattenlek | plaskdamm | plaska | fontän | svalka | splash | fountain | نافور | "
        "العاب مائي | "
    ),
    "parking": _entries("parkering* | ställ | rack | parking | موقف | "),
    "enclosure": _entries("inhägn* | staket | fenc | enclos | مسيج | سياج | "),
    "river": _entries("å | ån | älv* | river* | riversid | نهر | "),
    "lake": _entries("sjö* | strand | beach | lake | بحير | شاطئ | "),
    "park": _entries("park | parken | parker | حديق | "),
    "library": _entries("bibliotek* | librari | مكتب | "),
    "fishing": _entries("fisk* | fish | صيد | "),
    "lifesaving": _entries("livboj | livräddning* | räddning* | lifeguard | lifebuoy | انقاذ | "),
    "changing_rooms": _entries("omklädningsrum* | dusch* | shower | changing | غرف تبديل | "),
    "waiting_room": _entries("väntsal | waiting | قاعة انتظار | "),
    "art": _entries("konst | konstverk | konstnär* | skulptur | art | sculptur | فن | تمثال | "),
    "cleanup": _entries("städ* | plocka | cleanup | clean | تنظيف | "),
    "cemetery": _entries("kyrkogård* | grav | cemeteri | grave | مقبر | "),
    "traffic_car": _entries("bil | bilar | lastbil* | car | truck | سيار | "),
}
"""Topic → the words (stems) that name it."""

STOP_WORDS: dict[str, frozenset[str]] = {
    "swedish": frozenset(
        _entries(
            "alla | allt | att | av | bara | behöver | behövs | bli | blir | borde | bra | "
            "bygg | bygga | de | dem | den | deras | det | du | där | då | efter | eller | "
            "en | era | ett | finns | fixa | fler | från | får | för | genom | gärna | gör | "
            "göra | han | har | hela | hon | här | i | idag | in | inga | ingen | inget | "
            "inte | jag | kan | kunna | man | med | men | mer | mera | mig | min | mina | "
            "mitt | mot | mycket | många | ni | nu | ny | nya | nytt | när | någon | något | "
            "och | också | om | oss | på | samt | sedan | sen | sig | sin | sina | sitt | "
            "ska | skulle | som | sätt | sätta | så | till | under | upp | ut | utan | var | "
            "vara | vi | vid | vill | vår | våra | vårt | än | är | över | "
        )
    ),
    "english": frozenset(
        _entries(
            "a | add | all | an | and | any | are | as | at | be | build | by | can | "
            "could | do | for | from | get | has | have | here | i | in | is | it | make | "
            "more | need | needs | new | no | not | of | on | or | our | please | should | "
            "so | some | that | the | there | this | to | us | we | when | where | which | "
            "who | with | would | you | "
        )
    ),
    "arabic": frozenset(
        _entries(
            "أن | أو | إلى | التي | الذي | المزيد | الى | ان | او | بدون | بعض | جدا | حتى | "
            "ذلك | على | عن | عند | في | فيه | قرب | كل | لأن | لا | لان | ما | مع | من | "
            "نحتاج | نحن | نريد | هذا | هذه | هو | هي | و | يحتاج | يحتاجون | "
        )
    ),
}
"""Words that say nothing about what an idea is (removed before stemming)."""
