"""Phrase banks for synthetic practices, in the six content languages.

Real records repeat a municipal vocabulary (water, waste, mobility, participation ...) and add rare words of
their own (place and project names). The generator combines these phrases the same way, so a full-text query
for a common word matches thousands of records, as it would on a real knowledge base of this size, and the
index holds a long tail of rare terms.
"""

from __future__ import annotations

LANGS = ("en", "de", "fr", "es", "pt", "ar")
T6 = tuple[str, str, str, str, str, str]

# Share of records per language.
LANGUAGE_WEIGHTS = {"en": 40, "es": 15, "fr": 15, "de": 10, "pt": 10, "ar": 10}

# Countries whose cities carry records in each language; English records come from everywhere else too.
LANGUAGE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "en": (
        "GB",
        "IE",
        "US",
        "IN",
        "KE",
        "NG",
        "GH",
        "ZA",
        "UG",
        "TZ",
        "ZM",
        "PH",
        "ID",
        "VN",
        "TH",
        "BD",
        "PK",
        "NP",
        "LK",
        "MY",
        "RW",
        "ET",
        "MW",
        "ZW",
        "BW",
        "NA",
    ),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "SN", "CI", "CM", "BF", "ML", "BJ", "TG", "NE", "MG", "MA", "TN", "CD"),
    "es": ("ES", "MX", "CO", "PE", "CL", "AR", "EC", "BO", "GT", "CR", "DO", "UY", "PY", "HN", "SV"),
    "pt": ("BR", "PT", "MZ", "AO", "CV"),
    "ar": ("EG", "JO", "TN", "MA", "LB", "PS", "IQ", "DZ", "SA", "OM", "YE", "LY"),
}

# The subjects of practices: (subtopic slug, SDG numbers, name in each language).
SUBJECTS: list[tuple[str, tuple[int, ...], T6]] = [
    (
        "water-and-sanitation",
        (6,),
        (
            "water supply",
            "Wasserversorgung",
            "l'approvisionnement en eau",
            "el abastecimiento de agua",
            "o abastecimento de água",
            "إمدادات المياه",
        ),
    ),
    (
        "water-and-sanitation",
        (6, 14),
        (
            "wastewater treatment",
            "Abwasserbehandlung",
            "le traitement des eaux usées",
            "el tratamiento de aguas residuales",
            "o tratamento de esgoto",
            "معالجة مياه الصرف الصحي",
        ),
    ),
    (
        "waste-management",
        (11, 12),
        (
            "waste collection",
            "Abfallsammlung",
            "la collecte des déchets",
            "la recolección de residuos",
            "a coleta de resíduos",
            "جمع النفايات",
        ),
    ),
    (
        "waste-management",
        (12, 14),
        (
            "recycling of plastic waste",
            "Recycling von Kunststoffabfällen",
            "le recyclage des déchets plastiques",
            "el reciclaje de residuos plásticos",
            "a reciclagem de resíduos plásticos",
            "إعادة تدوير النفايات البلاستيكية",
        ),
    ),
    (
        "mobility",
        (11,),
        (
            "urban mobility",
            "städtische Mobilität",
            "la mobilité urbaine",
            "la movilidad urbana",
            "a mobilidade urbana",
            "التنقل الحضري",
        ),
    ),
    (
        "mobility",
        (11, 13),
        (
            "public transport",
            "öffentlichen Nahverkehr",
            "les transports publics",
            "el transporte público",
            "o transporte público",
            "النقل العام",
        ),
    ),
    (
        "mobility",
        (3, 11),
        (
            "cycling infrastructure",
            "Radverkehrsinfrastruktur",
            "les pistes cyclables",
            "la infraestructura ciclista",
            "a infraestrutura cicloviária",
            "البنية التحتية للدراجات",
        ),
    ),
    (
        "energy-efficiency",
        (7, 13),
        (
            "energy efficiency in public buildings",
            "Energieeffizienz öffentlicher Gebäude",
            "l'efficacité énergétique des bâtiments publics",
            "la eficiencia energética en edificios públicos",
            "a eficiência energética em prédios públicos",
            "كفاءة الطاقة في المباني العامة",
        ),
    ),
    (
        "energy-efficiency",
        (7,),
        (
            "street lighting",
            "Straßenbeleuchtung",
            "l'éclairage public",
            "el alumbrado público",
            "a iluminação pública",
            "إنارة الشوارع",
        ),
    ),
    (
        "citizen-participation",
        (16,),
        (
            "citizen participation",
            "Bürgerbeteiligung",
            "la participation citoyenne",
            "la participación ciudadana",
            "a participação cidadã",
            "المشاركة المواطنية",
        ),
    ),
    (
        "citizen-participation",
        (16, 10),
        (
            "participatory budgeting",
            "Bürgerhaushalt",
            "le budget participatif",
            "el presupuesto participativo",
            "o orçamento participativo",
            "الميزانية التشاركية",
        ),
    ),
    (
        "digitalisation",
        (9, 16),
        (
            "digital public services",
            "digitale Verwaltungsdienste",
            "les services publics numériques",
            "los servicios públicos digitales",
            "os serviços públicos digitais",
            "الخدمات العامة الرقمية",
        ),
    ),
    (
        "municipal-finance",
        (16, 17),
        (
            "local revenue collection",
            "kommunale Steuererhebung",
            "la mobilisation des recettes locales",
            "la recaudación de ingresos locales",
            "a arrecadação de receitas locais",
            "تحصيل الإيرادات المحلية",
        ),
    ),
    (
        "housing",
        (1, 11),
        (
            "affordable housing",
            "bezahlbaren Wohnraum",
            "le logement abordable",
            "la vivienda asequible",
            "a habitação acessível",
            "الإسكان الميسر",
        ),
    ),
    (
        "informal-settlements",
        (1, 6, 11),
        (
            "upgrading of informal settlements",
            "Aufwertung informeller Siedlungen",
            "la réhabilitation des quartiers informels",
            "el mejoramiento de asentamientos informales",
            "a urbanização de assentamentos informais",
            "تحسين المستوطنات غير الرسمية",
        ),
    ),
    (
        "public-space",
        (11,),
        (
            "public spaces",
            "öffentliche Räume",
            "les espaces publics",
            "los espacios públicos",
            "os espaços públicos",
            "الأماكن العامة",
        ),
    ),
    (
        "climate-adaptation",
        (11, 13),
        (
            "flood protection",
            "Hochwasserschutz",
            "la protection contre les inondations",
            "la protección contra inundaciones",
            "a proteção contra enchentes",
            "الحماية من الفيضانات",
        ),
    ),
    (
        "climate-adaptation",
        (3, 13),
        (
            "heat resilience",
            "Hitzevorsorge",
            "la résilience face à la chaleur",
            "la resiliencia ante el calor",
            "a resiliência ao calor",
            "التكيف مع موجات الحر",
        ),
    ),
    (
        "urban-green",
        (11, 15),
        (
            "urban green spaces",
            "städtische Grünflächen",
            "les espaces verts urbains",
            "las áreas verdes urbanas",
            "as áreas verdes urbanas",
            "المساحات الخضراء الحضرية",
        ),
    ),
    (
        "public-health",
        (3,),
        (
            "primary health care",
            "Gesundheitsversorgung",
            "les soins de santé primaires",
            "la atención primaria de salud",
            "a atenção primária à saúde",
            "الرعاية الصحية الأولية",
        ),
    ),
    (
        "business-promotion",
        (8,),
        (
            "support for small businesses",
            "Förderung kleiner Unternehmen",
            "l'appui aux petites entreprises",
            "el apoyo a pequeñas empresas",
            "o apoio a pequenas empresas",
            "دعم المشاريع الصغيرة",
        ),
    ),
    (
        "employment-and-skills",
        (4, 8),
        (
            "youth employment",
            "Jugendbeschäftigung",
            "l'emploi des jeunes",
            "el empleo juvenil",
            "o emprego jovem",
            "تشغيل الشباب",
        ),
    ),
    (
        "informal-economy",
        (1, 8),
        (
            "street vending",
            "Straßenhandel",
            "le commerce de rue",
            "el comercio ambulante",
            "o comércio ambulante",
            "الباعة المتجولين",
        ),
    ),
    (
        "tourism",
        (8, 12),
        (
            "sustainable tourism",
            "nachhaltigen Tourismus",
            "le tourisme durable",
            "el turismo sostenible",
            "o turismo sustentável",
            "السياحة المستدامة",
        ),
    ),
    (
        "circular-economy",
        (12, 2),
        (
            "composting of organic waste",
            "Kompostierung von Bioabfällen",
            "le compostage des déchets organiques",
            "el compostaje de residuos orgánicos",
            "a compostagem de resíduos orgânicos",
            "تسميد النفايات العضوية",
        ),
    ),
    (
        "cultural-heritage",
        (11,),
        (
            "the historic centre",
            "die Altstadt",
            "le centre historique",
            "el centro histórico",
            "o centro histórico",
            "المدينة القديمة",
        ),
    ),
    (
        "gender-equality",
        (5, 11),
        (
            "safety of women in public spaces",
            "Sicherheit von Frauen im öffentlichen Raum",
            "la sécurité des femmes dans l'espace public",
            "la seguridad de las mujeres en el espacio público",
            "a segurança das mulheres no espaço público",
            "سلامة المرأة في الأماكن العامة",
        ),
    ),
    (
        "administrative-modernisation",
        (16,),
        (
            "one-stop service centres",
            "Bürgerbüros",
            "les guichets uniques",
            "las ventanillas únicas",
            "os balcões únicos de atendimento",
            "مراكز الخدمة الموحدة",
        ),
    ),
    (
        "inter-municipal-cooperation",
        (17,),
        (
            "inter-municipal cooperation",
            "interkommunale Zusammenarbeit",
            "la coopération intercommunale",
            "la cooperación intermunicipal",
            "a cooperação intermunicipal",
            "التعاون بين البلديات",
        ),
    ),
    (
        "urban-planning",
        (11, 15),
        (
            "land-use planning",
            "Flächennutzungsplanung",
            "la planification de l'occupation des sols",
            "la planificación del uso del suelo",
            "o planejamento do uso do solo",
            "تخطيط استخدام الأراضي",
        ),
    ),
]

ACTORS: list[T6] = [
    (
        "the municipality",
        "die Stadtverwaltung",
        "la municipalité",
        "la municipalidad",
        "a prefeitura",
        "البلدية",
    ),
    (
        "the city council",
        "der Stadtrat",
        "le conseil municipal",
        "el concejo municipal",
        "a câmara municipal",
        "المجلس البلدي",
    ),
    (
        "the municipal utility",
        "die Stadtwerke",
        "la régie municipale",
        "la empresa municipal",
        "a empresa municipal",
        "الشركة البلدية",
    ),
    ("a local NGO", "ein lokaler Verein", "une ONG locale", "una ONG local", "uma ONG local", "منظمة محلية"),
    (
        "the regional university",
        "die Hochschule",
        "l'université régionale",
        "la universidad regional",
        "a universidade regional",
        "الجامعة الإقليمية",
    ),
    (
        "residents' associations",
        "Quartiersvereine",
        "les associations de quartier",
        "las juntas vecinales",
        "as associações de moradores",
        "جمعيات السكان",
    ),
]

GROUPS: list[T6] = [
    ("residents", "Bewohnerinnen und Bewohner", "les habitants", "los vecinos", "os moradores", "السكان"),
    ("women", "Frauen", "les femmes", "las mujeres", "as mulheres", "النساء"),
    ("young people", "Jugendliche", "les jeunes", "los jóvenes", "os jovens", "الشباب"),
    (
        "small businesses",
        "kleine Betriebe",
        "les petites entreprises",
        "las pequeñas empresas",
        "as pequenas empresas",
        "المشاريع الصغيرة",
    ),
    ("schools", "Schulen", "les écoles", "las escuelas", "as escolas", "المدارس"),
    (
        "older people",
        "ältere Menschen",
        "les personnes âgées",
        "las personas mayores",
        "os idosos",
        "كبار السن",
    ),
]

METHODS: list[T6] = [
    (
        "a digital platform",
        "eine digitale Plattform",
        "une plateforme numérique",
        "una plataforma digital",
        "uma plataforma digital",
        "منصة رقمية",
    ),
    (
        "neighbourhood committees",
        "Stadtteilkomitees",
        "des comités de quartier",
        "comités barriales",
        "comitês de bairro",
        "لجان الأحياء",
    ),
    (
        "a public-private partnership",
        "eine öffentlich-private Partnerschaft",
        "un partenariat public-privé",
        "una alianza público-privada",
        "uma parceria público-privada",
        "شراكة بين القطاعين العام والخاص",
    ),
    (
        "training of municipal staff",
        "Schulungen für Verwaltungspersonal",
        "la formation du personnel municipal",
        "la capacitación del personal municipal",
        "a capacitação de servidores municipais",
        "تدريب موظفي البلدية",
    ),
    (
        "open data",
        "offene Daten",
        "des données ouvertes",
        "datos abiertos",
        "dados abertos",
        "البيانات المفتوحة",
    ),
    (
        "a pilot in two districts",
        "ein Pilotprojekt in zwei Stadtteilen",
        "un projet pilote dans deux quartiers",
        "un piloto en dos distritos",
        "um projeto piloto em dois bairros",
        "مشروع تجريبي في حيين",
    ),
    (
        "a revolving fund",
        "einen revolvierenden Fonds",
        "un fonds renouvelable",
        "un fondo rotatorio",
        "um fundo rotativo",
        "صندوق دوار",
    ),
    (
        "a mobile app for reporting problems",
        "eine App für Mängelmeldungen",
        "une application mobile de signalement",
        "una aplicación móvil para reportar problemas",
        "um aplicativo para relatar problemas",
        "تطبيق للإبلاغ عن المشكلات",
    ),
]

FUNDERS: list[T6] = [
    (
        "the municipal budget",
        "den städtischen Haushalt",
        "le budget municipal",
        "el presupuesto municipal",
        "o orçamento municipal",
        "ميزانية البلدية",
    ),
    (
        "a national programme",
        "ein Bundesprogramm",
        "un programme national",
        "un programa nacional",
        "um programa nacional",
        "برنامج وطني",
    ),
    (
        "international cooperation",
        "internationale Zusammenarbeit",
        "la coopération internationale",
        "la cooperación internacional",
        "a cooperação internacional",
        "التعاون الدولي",
    ),
    (
        "user fees",
        "Nutzungsgebühren",
        "des redevances",
        "tarifas de los usuarios",
        "tarifas dos usuários",
        "رسوم المستخدمين",
    ),
]

TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Improving {subject} in {city}",
        "{city}: better {subject} through {method}",
        "{project}: {subject} for {group}",
        "Community-led {subject} in {city}",
    ),
    "de": (
        "Bessere {subject} in {city}",
        "{city}: {subject} durch {method}",
        "{project}: {subject} für {group}",
        "Gemeinsam für {subject} in {city}",
    ),
    "fr": (
        "Améliorer {subject} à {city}",
        "{city} : {subject} grâce à {method}",
        "{project} : {subject} pour {group}",
        "{subject} participatif à {city}",
    ),
    "es": (
        "Mejorar {subject} en {city}",
        "{city}: {subject} mediante {method}",
        "{project}: {subject} para {group}",
        "{subject} con la comunidad en {city}",
    ),
    "pt": (
        "Melhorar {subject} em {city}",
        "{city}: {subject} por meio de {method}",
        "{project}: {subject} para {group}",
        "{subject} comunitário em {city}",
    ),
    "ar": (
        "تحسين {subject} في {city}",
        "{city}: {subject} من خلال {method}",
        "{project}: {subject} لـ{group}",
        "{subject} بمشاركة المجتمع في {city}",
    ),
}

# Sentences per section of a record; each record takes one to three of them per section.
SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "summary": (
            "{city} improved {subject} for {group} with {method}.",
            "Together with {actor}, {city} reorganised {subject} and reached {n} households.",
        ),
        "challenge": (
            "{city} faced growing problems with {subject}.",
            "Before the project only {pct}% of {group} had reliable access to {subject}.",
            "The municipality lacked data, staff and money for {subject}.",
        ),
        "objectives": (
            "The goal was to improve {subject} for {group}.",
            "The city wanted to cut costs by {pct}% by {year}.",
        ),
        "solution": (
            "The municipality introduced {method} for {subject}.",
            "Together with {actor}, the city set up {method}.",
            "The project {project} combined {method} with {method2}.",
        ),
        "stakeholders": (
            "{actor} worked together with {group} and {actor2}.",
            "{n} residents took part in public meetings.",
        ),
        "results": (
            "Within {k} years {pct}% more {group} benefited from {subject}.",
            "{n} households are now served.",
        ),
        "evidence": ("An evaluation by {actor} in {year} confirmed the results.",),
        "costs": ("The project cost about {money} and was funded by {funder}.",),
        "success_factors": ("Strong support from the mayor and early involvement of {group}.",),
        "limiting_factors": ("Staff turnover and a limited budget for maintenance.",),
        "transferability": (
            "Cities with similar problems in {subject} can adapt the approach with {method}.",
        ),
    },
    "de": {
        "summary": (
            "{city} hat {subject} für {group} mit {method} verbessert.",
            "Gemeinsam mit {actor} hat {city} {subject} neu organisiert und {n} Haushalte erreicht.",
        ),
        "challenge": (
            "{city} hatte wachsende Probleme mit {subject}.",
            "Vor dem Projekt hatten nur {pct} % der {group} verlässlichen Zugang zu {subject}.",
            "Der Verwaltung fehlten Daten, Personal und Geld für {subject}.",
        ),
        "objectives": (
            "Ziel war es, {subject} für {group} zu verbessern.",
            "Die Stadt wollte die Kosten bis {year} um {pct} % senken.",
        ),
        "solution": (
            "Die Stadtverwaltung führte {method} für {subject} ein.",
            "Gemeinsam mit {actor} richtete die Stadt {method} ein.",
            "Das Projekt {project} verband {method} mit {method2}.",
        ),
        "stakeholders": (
            "{actor} arbeitete mit {group} und {actor2} zusammen.",
            "{n} Bürgerinnen und Bürger nahmen an Versammlungen teil.",
        ),
        "results": (
            "Innerhalb von {k} Jahren profitierten {pct} % mehr {group} von {subject}.",
            "{n} Haushalte werden jetzt versorgt.",
        ),
        "evidence": ("Eine Evaluierung durch {actor} bestätigte {year} die Ergebnisse.",),
        "costs": ("Das Projekt kostete etwa {money} und wurde über {funder} finanziert.",),
        "success_factors": (
            "Starke Unterstützung durch die Bürgermeisterin und frühe Einbindung der {group}.",
        ),
        "limiting_factors": ("Personalwechsel und ein knappes Budget für die Instandhaltung.",),
        "transferability": (
            "Städte mit ähnlichen Problemen bei {subject} können den Ansatz mit {method} übernehmen.",
        ),
    },
    "fr": {
        "summary": (
            "{city} a amélioré {subject} pour {group} grâce à {method}.",
            "Avec {actor}, {city} a réorganisé {subject} et touché {n} ménages.",
        ),
        "challenge": (
            "{city} faisait face à des problèmes croissants concernant {subject}.",
            "Avant le projet, seuls {pct} % de {group} avaient un accès fiable à {subject}.",
            "La commune manquait de données, de personnel et de moyens pour {subject}.",
        ),
        "objectives": (
            "L'objectif était d'améliorer {subject} pour {group}.",
            "La ville voulait réduire les coûts de {pct} % d'ici {year}.",
        ),
        "solution": (
            "La municipalité a mis en place {method} pour {subject}.",
            "Avec {actor}, la ville a créé {method}.",
            "Le projet {project} a combiné {method} et {method2}.",
        ),
        "stakeholders": (
            "{actor} a travaillé avec {group} et {actor2}.",
            "{n} habitants ont participé aux réunions publiques.",
        ),
        "results": (
            "En {k} ans, {pct} % de {group} en plus ont bénéficié de {subject}.",
            "{n} ménages sont désormais desservis.",
        ),
        "evidence": ("Une évaluation menée par {actor} en {year} a confirmé les résultats.",),
        "costs": ("Le projet a coûté environ {money}, financé par {funder}.",),
        "success_factors": ("Un fort soutien du maire et l'implication précoce de {group}.",),
        "limiting_factors": ("La rotation du personnel et un budget d'entretien limité.",),
        "transferability": (
            "Les villes confrontées aux mêmes problèmes de {subject} peuvent adapter l'approche.",
        ),
    },
    "es": {
        "summary": (
            "{city} mejoró {subject} para {group} mediante {method}.",
            "Junto con {actor}, {city} reorganizó {subject} y llegó a {n} hogares.",
        ),
        "challenge": (
            "{city} enfrentaba problemas crecientes con {subject}.",
            "Antes del proyecto solo el {pct} % de {group} tenía acceso fiable a {subject}.",
            "La municipalidad carecía de datos, personal y recursos para {subject}.",
        ),
        "objectives": (
            "El objetivo era mejorar {subject} para {group}.",
            "La ciudad quería reducir los costos un {pct} % para {year}.",
        ),
        "solution": (
            "La municipalidad introdujo {method} para {subject}.",
            "Junto con {actor}, la ciudad creó {method}.",
            "El proyecto {project} combinó {method} con {method2}.",
        ),
        "stakeholders": (
            "{actor} trabajó con {group} y {actor2}.",
            "{n} vecinos participaron en asambleas públicas.",
        ),
        "results": (
            "En {k} años, un {pct} % más de {group} se benefició de {subject}.",
            "Ahora se atienden {n} hogares.",
        ),
        "evidence": ("Una evaluación de {actor} en {year} confirmó los resultados.",),
        "costs": ("El proyecto costó unos {money} y fue financiado por {funder}.",),
        "success_factors": ("Fuerte apoyo de la alcaldía y participación temprana de {group}.",),
        "limiting_factors": ("La rotación del personal y un presupuesto limitado para mantenimiento.",),
        "transferability": ("Ciudades con problemas similares de {subject} pueden adaptar el enfoque.",),
    },
    "pt": {
        "summary": (
            "{city} melhorou {subject} para {group} por meio de {method}.",
            "Junto com {actor}, {city} reorganizou {subject} e alcançou {n} domicílios.",
        ),
        "challenge": (
            "{city} enfrentava problemas crescentes com {subject}.",
            "Antes do projeto apenas {pct} % de {group} tinham acesso confiável a {subject}.",
            "A prefeitura não tinha dados, pessoal nem recursos para {subject}.",
        ),
        "objectives": (
            "O objetivo era melhorar {subject} para {group}.",
            "A cidade queria reduzir os custos em {pct} % até {year}.",
        ),
        "solution": (
            "A prefeitura introduziu {method} para {subject}.",
            "Junto com {actor}, a cidade criou {method}.",
            "O projeto {project} combinou {method} com {method2}.",
        ),
        "stakeholders": (
            "{actor} trabalhou com {group} e {actor2}.",
            "{n} moradores participaram de audiências públicas.",
        ),
        "results": (
            "Em {k} anos, {pct} % mais {group} se beneficiaram de {subject}.",
            "{n} domicílios são atendidos hoje.",
        ),
        "evidence": ("Uma avaliação de {actor} em {year} confirmou os resultados.",),
        "costs": ("O projeto custou cerca de {money} e foi financiado por {funder}.",),
        "success_factors": ("Forte apoio do prefeito e envolvimento precoce de {group}.",),
        "limiting_factors": ("Rotatividade de pessoal e orçamento limitado para manutenção.",),
        "transferability": ("Cidades com problemas semelhantes de {subject} podem adaptar a abordagem.",),
    },
    "ar": {
        "summary": (
            "حسّنت مدينة {city} {subject} لصالح {group} من خلال {method}.",
            "بالتعاون مع {actor} أعادت {city} تنظيم {subject} ووصلت إلى {n} أسرة.",
        ),
        "challenge": (
            "واجهت {city} مشكلات متزايدة في {subject}.",
            "قبل المشروع كان {pct}٪ فقط من {group} يحصلون على {subject} بشكل موثوق.",
            "كانت البلدية تفتقر إلى البيانات والموظفين والتمويل اللازم لـ{subject}.",
        ),
        "objectives": (
            "كان الهدف تحسين {subject} لصالح {group}.",
            "أرادت المدينة خفض التكاليف بنسبة {pct}٪ بحلول عام {year}.",
        ),
        "solution": (
            "أدخلت البلدية {method} في مجال {subject}.",
            "بالتعاون مع {actor} أنشأت المدينة {method}.",
            "جمع مشروع {project} بين {method} و{method2}.",
        ),
        "stakeholders": ("عمل {actor} مع {group} و{actor2}.", "شارك {n} من السكان في اجتماعات عامة."),
        "results": ("خلال {k} سنوات استفاد {pct}٪ إضافية من {group} من {subject}.", "يستفيد الآن {n} أسرة."),
        "evidence": ("أكد تقييم أجراه {actor} في عام {year} النتائج.",),
        "costs": ("بلغت تكلفة المشروع نحو {money} ومُوّل من {funder}.",),
        "success_factors": ("دعم قوي من رئيس البلدية ومشاركة مبكرة من {group}.",),
        "limiting_factors": ("تبدل الموظفين وميزانية محدودة للصيانة.",),
        "transferability": ("يمكن للمدن التي تواجه مشكلات مماثلة في {subject} تكييف هذا النهج.",),
    },
}

# Syllables for project names: the rare words every real record has.
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "te",
    "su",
    "bo",
    "ni",
    "da",
    "ve",
    "zu",
    "pa",
    "ri",
    "no",
    "gu",
    "ma",
    "sa",
    "tu",
    "le",
    "ko",
    "ba",
    "di",
    "fe",
    "ha",
    "jo",
    "wa",
    "yi",
    "xe",
    "qu",
    "ne",
)
PROJECT_WORD: dict[str, str] = {
    "en": "Project",
    "de": "Projekt",
    "fr": "Projet",
    "es": "Proyecto",
    "pt": "Projeto",
    "ar": "مشروع",
}
FIRST_NAMES = (
    "Amara",
    "Lukas",
    "Fatima",
    "Carlos",
    "Aïcha",
    "João",
    "Priya",
    "Nadia",
    "Kwame",
    "Sofia",
    "Omar",
    "Lena",
    "Thabo",
    "Mariana",
    "Youssef",
    "Anh",
    "Grace",
    "Mehmet",
    "Claire",
    "Diego",
)
LAST_NAMES = (
    "Okafor",
    "Schmidt",
    "Haddad",
    "García",
    "Diallo",
    "Silva",
    "Sharma",
    "Benali",
    "Mensah",
    "Rossi",
    "Nguyen",
    "Müller",
    "Dubois",
    "Mokoena",
    "Fernández",
    "Karimi",
    "Santos",
    "Ochieng",
    "Lefèvre",
    "Ali",
)
ORGANISATION_PATTERNS = (
    "Municipality of {city}",
    "{city} Water and Sanitation Company",
    "{city} City Council",
    "Urban Lab {city}",
    "{city} Residents' Forum",
    "University of {city}",
)
