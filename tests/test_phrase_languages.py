"""Phrase rules in every language of generic.toml, and the ownership logic that decides what a phrase takes.

Pages here use utility and hashed class names only, so no selector vocabulary can help: what goes, goes
because a phrase owns it. Each language's page is checked against that language's own phrases, so that an
English phrase that happens to match cannot make another language look covered.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from lxml.html import fragment_fromstring

from declutter.pipeline import extract
from declutter.pipeline.declutter import remove_clutter
from declutter.pipeline.decode import parse
from declutter.pipeline.options import DEFAULT_OPTIONS
from declutter.rules.generic import LANGUAGES, generic_rules, normalize_text


@dataclass(frozen=True)
class LanguagePage:
    title: str
    paragraphs: tuple[str, str, str]
    ad: str  # phrases.advertisement
    app: str  # phrases.app_promo
    app_text: str  # the promo's own sentence, which must go with it
    related: str  # phrases.related, as a section heading
    teasers: tuple[str, str]
    comments: str  # phrases.comments, as a section heading (a count is allowed: "Kommentare (3)")
    comment: str


PAGES = {
    "en": LanguagePage(
        "The city library will open on Sundays",
        ("The central library will open on Sundays from next month, the city council decided on "
         "Tuesday, after a petition signed by more than four thousand residents.",
         "The extra opening hours will be staffed by six new part-time librarians, paid for by "
         "savings in the energy budget after the building's heating system was replaced last year.",
         "Families with young children asked most often for the change; the children's floor will "
         "host a reading hour every Sunday morning."),
        "Advertisement", "Get the app", "All the news from your city on your phone.",
        "You may also like", ("Swimming pool reopens after repairs", "New bus line to the hospital"),
        "Comments (3)", "Finally! We have been waiting for this for years."),
    "de": LanguagePage(
        "Die Stadtbibliothek öffnet sonntags",
        ("Die Zentralbibliothek öffnet ab dem kommenden Monat auch sonntags. Das hat der Gemeinderat "
         "am Dienstag beschlossen, nachdem mehr als viertausend Menschen eine Petition unterschrieben "
         "hatten.",
         "Die zusätzlichen Öffnungszeiten übernehmen sechs neue Teilzeitkräfte, bezahlt aus "
         "Einsparungen beim Energiebudget, nachdem im vergangenen Jahr die Heizung des Gebäudes "
         "erneuert wurde.",
         "Vor allem Familien mit kleinen Kindern hatten sich die Änderung gewünscht; in der "
         "Kinderetage gibt es künftig jeden Sonntagvormittag eine Vorlesestunde."),
        "Anzeige", "App herunterladen", "Alle Nachrichten aus Ihrer Stadt auf dem Handy.",
        "Das könnte Sie auch interessieren",
        ("Hallenbad nach Reparatur wieder offen", "Neue Buslinie zum Klinikum"),
        "Kommentare (3)", "Endlich! Darauf haben wir jahrelang gewartet."),
    "fr": LanguagePage(
        "La médiathèque ouvrira le dimanche",
        ("La médiathèque centrale ouvrira le dimanche dès le mois prochain, a décidé mardi le "
         "conseil municipal, après une pétition signée par plus de quatre mille habitants.",
         "Ces horaires supplémentaires seront assurés par six bibliothécaires à temps partiel, "
         "financés par les économies d'énergie réalisées depuis le remplacement du chauffage l'an "
         "dernier.",
         "Les familles avec de jeunes enfants étaient les plus nombreuses à demander ce changement ; "
         "l'espace jeunesse proposera une heure du conte chaque dimanche matin."),
        "Publicité", "Téléchargez l'application", "Toute l'actualité de votre ville sur votre téléphone.",
        "Vous aimerez aussi", ("La piscine rouvre après travaux", "Une nouvelle ligne de bus vers l'hôpital"),
        "Commentaires (3)", "Enfin ! Nous l'attendions depuis des années."),
    "es": LanguagePage(
        "La biblioteca municipal abrirá los domingos",
        ("La biblioteca central abrirá los domingos a partir del próximo mes, según decidió el "
         "martes el pleno municipal tras una petición firmada por más de cuatro mil vecinos.",
         "El horario adicional lo cubrirán seis nuevos bibliotecarios a tiempo parcial, pagados con "
         "el ahorro energético logrado tras sustituir la calefacción del edificio el año pasado.",
         "Las familias con niños pequeños fueron las que más pidieron el cambio; la planta infantil "
         "ofrecerá una hora del cuento cada domingo por la mañana."),
        "Publicidad", "Descarga la app", "Todas las noticias de tu ciudad en el móvil.",
        "Te puede interesar", ("La piscina reabre tras las obras", "Nueva línea de autobús al hospital"),
        "Comentarios (3)", "¡Por fin! Lo estábamos esperando desde hace años."),
    "it": LanguagePage(
        "La biblioteca comunale aprirà la domenica",
        ("La biblioteca centrale aprirà anche la domenica dal mese prossimo: lo ha deciso martedì "
         "il consiglio comunale, dopo una petizione firmata da oltre quattromila cittadini.",
         "L'orario aggiuntivo sarà coperto da sei nuovi bibliotecari part-time, pagati con i "
         "risparmi energetici ottenuti dopo la sostituzione dell'impianto di riscaldamento lo "
         "scorso anno.",
         "Sono state soprattutto le famiglie con bambini piccoli a chiedere il cambiamento; la "
         "sezione ragazzi proporrà un'ora di lettura ogni domenica mattina."),
        "Pubblicità", "Scarica l'app", "Tutte le notizie della tua città sul telefono.",
        "Potrebbe interessarti anche",
        ("Riapre la piscina dopo i lavori", "Nuova linea di autobus per l'ospedale"),
        "Commenti (3)", "Finalmente! Lo aspettavamo da anni."),
    "pt": LanguagePage(
        "Biblioteca municipal vai abrir aos domingos",
        ("A biblioteca central vai abrir aos domingos a partir do próximo mês, decidiu a câmara "
         "municipal na terça-feira, depois de um abaixo-assinado com mais de quatro mil assinaturas.",
         "O horário extra será garantido por seis novos bibliotecários a tempo parcial, pagos com a "
         "poupança de energia obtida depois da troca do aquecimento do edifício no ano passado.",
         "As famílias com crianças pequenas foram as que mais pediram a mudança; o espaço infantil "
         "terá uma hora do conto todos os domingos de manhã."),
        "Publicidade", "Baixe o app", "Todas as notícias da sua cidade no celular.",
        "Você também pode gostar", ("Piscina reabre depois das obras", "Nova linha de ônibus até o hospital"),
        "Comentários (3)", "Finalmente! Esperávamos por isso há anos."),
    "nl": LanguagePage(
        "Stadsbibliotheek gaat op zondag open",
        ("De centrale bibliotheek gaat vanaf volgende maand ook op zondag open. Dat besloot de "
         "gemeenteraad dinsdag na een petitie die door ruim vierduizend inwoners was ondertekend.",
         "De extra openingsuren worden verzorgd door zes nieuwe parttime bibliothecarissen, betaald "
         "uit de besparing op energie sinds de verwarming van het gebouw vorig jaar is vervangen.",
         "Vooral gezinnen met jonge kinderen vroegen om de verandering; op de kinderverdieping is er "
         "voortaan elke zondagochtend een voorleesuur."),
        "Advertentie", "Download de app", "Al het nieuws uit je stad op je telefoon.",
        "Meest gelezen", ("Zwembad weer open na reparatie", "Nieuwe buslijn naar het ziekenhuis"),
        "Reacties (3)", "Eindelijk! Hier wachten we al jaren op."),
    "ja": LanguagePage(
        "市立図書館、日曜日も開館へ",
        ("市立中央図書館は来月から日曜日も開館する。"
         "四千人を超える市民の署名を受け、市議会が火曜日に決めた。",
         "増える開館時間は新たに採用する六人の非常勤司書が担当する。"
         "費用は昨年の暖房設備の更新で浮いた光熱費でまかなう。",
         "要望が最も多かったのは小さな子どもがいる家庭で、"
         "児童フロアでは毎週日曜日の午前に読み聞かせの時間を設ける。"),
        "広告", "アプリで読む", "市内のニュースをスマートフォンでお届けします。",
        "関連記事", ("市民プール、改修を終えて再開", "病院行きの新しいバス路線"),
        "コメント（3）", "やっとですね。ずっと待っていました。"),
    "zh": LanguagePage(
        "市图书馆将在周日开放",
        ("市中心图书馆将从下个月起在周日开放。"
         "市议会周二作出这一决定，此前有四千多名市民联名提出请求。",
         "新增的开放时间将由六名新招聘的兼职馆员负责，"
         "费用来自去年更换供暖设备后节省下来的能源开支。",
         "提出这一要求最多的是有小孩的家庭，少儿阅览区将在每个周日上午举办故事时间。"),
        "广告", "下载APP", "随时随地获取本市新闻。",
        "相关文章", ("游泳馆维修后重新开放", "新公交线路直达医院"),
        "评论（3）", "终于等到了，盼了好多年。"),
    "ko": LanguagePage(
        "시립도서관, 일요일에도 문 연다",
        ("시립 중앙도서관이 다음 달부터 일요일에도 문을 연다. "
         "시의회는 시민 사천여 명의 서명을 받아 화요일에 이같이 결정했다.",
         "늘어나는 운영 시간은 새로 채용하는 시간제 사서 여섯 명이 맡는다. "
         "비용은 지난해 난방 설비를 바꾸면서 줄어든 에너지 비용으로 충당한다.",
         "가장 많이 요청한 것은 어린 자녀를 둔 가정이었다. "
         "어린이 열람실에서는 매주 일요일 오전에 책 읽어주기 시간을 운영한다."),
        "광고", "앱 다운로드", "우리 시 소식을 휴대폰으로 받아보세요.",
        "관련 기사", ("시립 수영장, 보수 마치고 다시 문 열어", "병원 가는 새 버스 노선"),
        "댓글 (3)", "드디어 됐네요. 몇 년을 기다렸어요."),
}

# (phrase group, LanguagePage field) for every label a page carries
LABELS = (("advertisement", "ad"), ("app_promo", "app"), ("related", "related"), ("comments", "comments"))


def page_html(lang: str, page: LanguagePage) -> str:
    first, second, third = page.paragraphs
    one, two = page.teasers
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{page.title}</title></head>
<body>
<div class="flex min-h-screen flex-col">
  <div class="css-1x2y3z mx-auto max-w-2xl">
    <h1 class="text-3xl font-bold">{page.title}</h1>
    <div class="css-9kq1b0">
      <p>{first}</p>
      <div class="my-6 text-center css-a8d2">
        <span class="text-[10px] uppercase">{page.ad}</span><div class="h-64"></div>
      </div>
      <p>{second}</p>
      <div class="flex gap-4 rounded-lg bg-slate-100 p-4 css-7yt1">
        <p class="font-bold">{page.app}</p><p>{page.app_text}</p>
      </div>
      <p>{third}</p>
    </div>
  </div>
  <div class="mt-12 css-4rt5">
    <h2 class="text-xl">{page.related}</h2>
    <ul class="grid gap-4"><li><a href="/a">{one}</a></li><li><a href="/b">{two}</a></li></ul>
  </div>
  <div class="mt-12 css-0p9o">
    <h2 class="text-xl">{page.comments}</h2>
    <div class="flex gap-2"><b>user_01</b><p>{page.comment}</p></div>
  </div>
</div>
</body></html>"""


def test_every_language_of_the_rules_has_a_page():
    assert set(PAGES) == set(LANGUAGES)


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_labels_are_that_languages_own_phrases(lang):
    rules, page = generic_rules(), PAGES[lang]
    for group_name, field in LABELS:
        group = rules.phrase_group(group_name)
        whole, start = group.by_language[lang]
        label = normalize_text(getattr(page, field))
        assert (whole and whole.match(label)) or (start and start.match(label)), \
            f"{getattr(page, field)!r} is not a {lang} phrase of {group_name}"


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_phrase_rules_remove_the_clutter_and_keep_the_article(lang):
    page = PAGES[lang]
    article = extract(page_html(lang, page))
    for paragraph in page.paragraphs:
        assert paragraph in article.text
    clutter = [page.ad, page.app, page.app_text, page.related, *page.teasers, page.comments, page.comment,
               "user_01"]
    assert [c for c in clutter if c in article.text] == []
    rules = {removal.rule for removal in article.removed}
    assert {f"phrase:{group}" for group, _ in LABELS} <= rules
    assert not any(rule.startswith("selector:") for rule in rules)


# --- ownership: what a phrase takes with it ----------------------------------------------------------------

ARTICLE = "".join(
    f"<p>Paragraph {n} of the article, long enough to count as prose: the council met on Tuesday "
    f"and voted on the budget for the coming year, item {n}.</p>" for n in range(1, 5)
)


def declutter(body: str):
    """Runs the clutter rules alone on a tiny page; returns (the body's text after, the removal records)."""
    root = parse(f"<html><head><title>Budget vote</title></head><body>{body}</body></html>")
    removed = remove_clutter(root, [], "Budget vote", DEFAULT_OPTIONS).removed
    return " ".join(root.find("body").text_content().split()), removed


def test_section_under_a_heading_runs_to_the_next_heading_of_the_same_rank():
    text, removed = declutter(
        f"<div class='css-a1'><h1>Budget vote</h1>{ARTICLE}"
        "<h2>Related articles</h2><ul><li><a href='/x'>Council elects a new speaker</a></li></ul>"
        "<p>The speaker will serve for four years and chairs every full council meeting.</p>"
        "<h3>Older stories</h3><p>Budget hearings from last year are in the archive.</p>"
        "<h2>What happens next</h2><p>The budget now goes to the regional authority for approval.</p></div>")
    assert "Council elects" not in text and "four years" not in text and "last year" not in text
    assert "The budget now goes to the regional authority" in text and "What happens next" in text
    assert {(r.rule, r.match) for r in removed} == {("phrase:related", "related articles")}


def test_section_is_the_whole_block_its_heading_opens():
    text, removed = declutter(
        f"<div class='css-a1'>{ARTICLE}</div>"
        "<div class='css-b2'><div class='css-b3'><h3>Comments (2)</h3></div>"
        "<div class='css-b4'><b>ann</b><p>Great news for the town, and about time too.</p></div>"
        "<div class='css-b4'><b>bo</b><p>Who pays for it?</p></div></div>"
        "<p class='css-c5'>Footer note of the site, outside the comment block.</p>")
    assert "ann" not in text and "Who pays" not in text and "Comments" not in text
    assert "Footer note of the site" in text
    assert [(r.rule, r.text[:12]) for r in removed] == [("phrase:comments", "Comments (2)")]


def test_box_is_the_largest_block_under_the_groups_limit():
    promo = ("<div class='css-p1'><div class='css-p2'><h3>Download the app</h3>"
             "<p>Alerts on your phone.</p></div></div>")
    long_tail = "<p>" + "A long paragraph of the article itself. " * 30 + "</p>"
    text, removed = declutter(
        f"<div class='css-a1'>{ARTICLE}<div class='css-w'>{promo}{long_tail}</div></div>")
    assert "Download the app" not in text and "Alerts on your phone" not in text
    assert "A long paragraph of the article itself." in text  # the wrapper would exceed app_promo's 600 chars
    assert [r.rule for r in removed] == ["phrase:app_promo"]


def test_a_paragraph_that_mentions_the_phrase_in_running_text_stays():
    mention = "<p>From Monday, residents can download the app to report potholes to the council.</p>"
    text, removed = declutter(f"<div class='css-a1'>{ARTICLE}{mention}</div>")
    assert "download the app to report potholes" in text
    assert removed == []


def test_a_promotion_written_as_a_paragraph_of_the_article_goes():
    promos = ("<p>Download our app for alerts from your street.</p>"
              "<p>Sign up for our weekly council digest, free in your inbox every Friday.</p>")
    text, removed = declutter(f"<div class='css-a1'>{ARTICLE}{promos}</div>")
    assert "Download our app" not in text and "council digest" not in text
    assert [r.rule for r in removed] == ["phrase:app_promo", "phrase:newsletter"]


def test_a_short_line_that_opens_with_a_control_goes_with_it():
    gift = "<p><a href='/gift'>Gift this story</a> to a neighbour, who can read it without an account.</p>"
    text, removed = declutter(f"<div class='css-a1'>{ARTICLE}{gift}</div>")
    assert "to a neighbour" not in text
    assert [r.rule for r in removed] == ["phrase:page_chrome"]


def test_an_audio_players_label_is_its_own_rule():
    player = "<div class='css-p'><button>Listen to this article</button><span>12 min</span></div>"
    text, removed = declutter(f"<div class='css-a1'>{player}{ARTICLE}</div>")
    assert "Listen to this article" not in text and "12 min" not in text
    assert [r.rule for r in removed] == ["phrase:audio_player"]


def test_label_takes_only_wrappers_without_text_of_their_own():
    text, removed = declutter(
        f"<div class='css-a1'>{ARTICLE}<div class='css-x'><div class='css-y'><span>Advertisement</span></div>"
        "<div id='gpt-slot-1'></div></div>"
        "<div class='css-z'><span>Sponsored</span>"
        "<p>The sponsor of the council's open day is a local bakery.</p></div></div>")
    assert "Advertisement" not in text and "Sponsored" not in text
    assert "The sponsor of the council's open day is a local bakery." in text
    assert [r.rule for r in removed] == ["phrase:advertisement", "phrase:advertisement"]


def test_lead_in_line_goes_when_the_rest_of_it_is_a_link():
    text, removed = declutter(
        f"<div class='css-a1'>{ARTICLE}"
        "<p><strong>Also read:</strong> <a href='/x'>Council elects a new speaker</a></p>"
        "<p>Read more: the committee's full report runs to 400 pages and covers every "
        "department's spending.</p>"
        "<p>Related: <a href='/y'>the report</a> also covers pensions, libraries, parks, roads and "
        "the costs of the new swimming pool in great detail.</p></div>")
    assert "Also read" not in text and "Council elects" not in text
    assert "Read more: the committee's full report runs to 400 pages" in text  # no link: prose
    assert "Related: the report also covers pensions" in text  # mostly words, not a link
    assert [(r.rule, r.text) for r in removed] == [
        ("phrase:lead_in", "Also read: Council elects a new speaker")]


@pytest.mark.parametrize("sentence", [
    "Readers left <b>comments</b> under the first draft, and most of them asked for more detail.",
    "Users who <a href='/app'>download the app</a> from the store see the budget in a chart.",
    "The share of voters who turned out rose to 61 percent.",
    "Advertisement revenue fell by a third, the finance officer told the meeting.",
    "Kommentare der Leser waren überwiegend positiv, sagte die Bürgermeisterin.",
    "関連記事によると、予算案は賛成多数で可決された。",
])
def test_a_paragraph_that_merely_mentions_a_phrase_stays(sentence):
    text, removed = declutter(f"<div class='css-a1'>{ARTICLE}<p>{sentence}</p></div>")
    assert removed == []
    assert fragment_fromstring(sentence, create_parent="p").text_content() in text


@pytest.mark.parametrize("heading", ["Related work", "Comments from readers", "Share of voters by age",
                                     "Advertisement revenue, 2019 to 2024", "Trending topics in the survey"])
def test_a_heading_that_only_contains_a_phrase_is_not_a_label(heading):
    text, removed = declutter(f"<div class='css-a1'><h2>{heading}</h2>{ARTICLE}</div>")
    assert heading in text
    assert removed == []
