"""Name lists for the synthetic town, by community and generation.

Lists are ordered roughly by popularity; `Pool` weights them Zipf-like so common names recur (namesakes
arise naturally) while rare names still appear. Surnames of communities whose family names take a feminine
form (Polish, Slovak, Czech) are written `male/female`.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate


class Pool:
    """A weighted list of strings; the k-th entry weighs 1 / (k + flatness)."""

    __slots__ = ("_cum", "_total", "items")

    def __init__(self, items: list[str], flatness: float = 6.0) -> None:
        if not items:
            raise ValueError("empty name pool")
        self.items = items
        self._cum = list(accumulate(1.0 / (k + flatness) for k in range(len(items))))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> str:
        return self.items[min(bisect(self._cum, rng.random() * self._total), len(self.items) - 1)]


def _words(text: str) -> list[str]:
    return text.split()


# --- British (white British, mixed heritage, black Caribbean families use these too) ---------------------
BRITISH_GIRLS_CHILD = _words("""
Chloe Emily Megan Jessica Lauren Sophie Olivia Charlotte Hannah Amy Bethany Ellie Lucy Georgia Katie
Rebecca Holly Abigail Emma Grace Jade Paige Shannon Courtney Chelsea Amber Leah Molly Ella Mia Lily
Isabelle Jasmine Kayleigh Danielle Stacey Natasha Rachel Laura Sarah Gemma Zoe Abbie Brooke Demi Tia
Kelsey Keeley Casey Kirsty Jodie Nicole Victoria Samantha Rhiannon Alisha Caitlin Eleanor Freya Evie
Millie Poppy Amelia Isla Erin Niamh Kimberley Sienna Summer Maisie Lacey Libby Tegan Faye Hayley
Leanne Louise Toni Jordan Alice Ruby Phoebe Imogen Madison Scarlett Darcy Layla Lola Esme Harriet
Rosie Daisy Kiera Aimee Tamsin Jenna Bethan Carys
""")
BRITISH_BOYS_CHILD = _words("""
Jack Thomas James Joshua Daniel Harry Samuel Joseph Matthew Callum Luke William Lewis Oliver Ryan
Benjamin George Liam Jordan Adam Alexander Jake Connor Cameron Nathan Kieran Charlie Tyler Bradley
Jamie Ethan Dylan Kyle Reece Alfie Owen Jacob Aaron Brandon Declan Elliot Finley Harvey Jayden Kai
Leo Louis Max Mason Noah Riley Scott Sean Toby Zach Shane Dean Lee Corey Mitchell Ashley Jay Ben
Archie Oscar Freddie Henry Logan Rhys Joel Aidan Ross Kane Jason Robert Michael Christopher Andrew
David Anthony Tom Joe Sam Billy Marcus
""")
BRITISH_WOMEN_ADULT = _words("""
Sarah Claire Nicola Lisa Emma Michelle Joanne Donna Kelly Julie Karen Tracey Dawn Helen Angela Susan
Amanda Lorraine Deborah Andrea Sharon Jane Wendy Gillian Paula Rachel Victoria Louise Natalie Kerry
Leanne Stacey Gemma Samantha Laura Katie Hayley Zoe Jennifer Elizabeth Catherine Caroline Joanna
Melanie Vicky Kirsty Jodie Danielle Donna Maria Tina Alison Janet Carol Christine Margaret Lynn
Beverley Jacqueline Debra Sandra Diane Mandy Tanya Sonia Rebecca Jessica Charlotte Sophie Amy Jade
Shelley Toni Kim Theresa Elaine Pauline Linda
""")
BRITISH_MEN_ADULT = _words("""
David Paul Mark Andrew Stephen Michael Richard Ian Gary Darren Lee Craig Wayne Dean Steven
Christopher Jason Carl Martin Neil Simon Anthony Kevin Shaun Robert John Peter Philip Scott Matthew
James Daniel Thomas Adam Jonathan Nicholas Stuart Graham Keith Barry Terry Colin Alan Brian Trevor
Kenneth Raymond Glen Jamie Ryan Ben Luke Danny Nathan Karl Russell Mick Tony Ricky Leon Jordan Liam
Joseph Sean Marc Damian Jeremy Gareth Shane Kyle Aaron Wesley Clive Gordon Malcolm Roy Derek Dale
Ashley Robin
""")
BRITISH_SURNAMES = _words("""
Smith Jones Taylor Brown Walker Wilson Johnson Wright Robinson Thompson White Hughes Wood Green Hall
Edwards Harris Lewis Martin Jackson Clarke Turner Hill Scott Cooper Morris Ward Moore King Watson
Baker Harrison Morgan Young Allen Mitchell James Anderson Phillips Lee Bell Parker Davis Davies
Evans Roberts Williams Shaw Lloyd Marshall Atkinson Bailey Barker Barnes Bennett Booth Bradley Brook
Brooks Butler Carter Chapman Cook Cox Dawson Dixon Ellis Fisher Fletcher Foster Gibson Graham Grant
Gray Greenwood Haigh Hargreaves Hart Holmes Hudson Hunt Jenkins Kay Kelly Kirk Knowles Lawson
Lockwood Marsden Mason Mellor Mills Moss Naylor Newton Oldfield Owen Palmer Parkin Pearson Pickering
Porter Price Richardson Riley Rogers Rowe Russell Sanderson Saunders Sharp Simpson Slater Spencer
Stanley Stevenson Stone Sutcliffe Swift Sykes Thorpe Townend Wainwright Walsh Webster Wells West
Whitehead Wilkinson Williamson Woodhead Hague Hinchliffe Senior Staniforth Crossland Ibbotson
Hepworth Beevers Ackroyd Bramley Hattersley Froggatt Lindley Ramsden Cawthorne Housley Roddis
Siddall Stenton Unwin Wragg Beardshaw Dyson Hoyland Jessop Machin Stables Tingle
""")

# --- Irish heritage and Irish Travellers -----------------------------------------------------------------
IRISH_GIRLS = _words("""
Bridget Mary Margaret Kathleen Nora Siobhan Ellen Winnie Shauna Roisin Aoife Ciara Niamh Sinead
Mary-Ann Catherine Theresa Josie Chelsea Kerry
""")
IRISH_BOYS = _words("""
Patrick John Michael Martin Sean Christy Francie Johnny Tommy Jimmy Pat Danny Joseph Paddy Ciaran
Declan Eamon Liam Connor Dermot
""")
IRISH_SURNAMES = _words("""
McDonagh Ward Maughan Connors Doherty Joyce McGinley O'Brien Murphy Kelly Byrne O'Neill Quinn Walsh
Gallagher Delaney McCarthy O'Connor Reilly Donovan Sweeney Keenan
""")

# --- Pakistani (mostly Mirpuri heritage), Bangladeshi, Indian ---------------------------------------------
PAKISTANI_BOYS = _words("""
Mohammed Muhammad Imran Adil Amir Arshid Asif Basharat Bilal Faisal Hamza Haroon Hassan Ibrahim
Irfan Javed Kamran Khalid Mahmood Naveed Nadeem Omar Qaiser Rizwan Sajid Shahid Tariq Umar Usman
Waqas Yasir Zahid Zubair Adnan Aftab Ali Arfan Aqeel Azeem Ayaan Rayyan Zain Haris Ismail Yusuf
Zakariya Abdullah Kashif Sohail Zafar Shakeel Tahir Wasim Aamir Mubarak Nasir Razwan Sabir
""")
PAKISTANI_GIRLS = _words("""
Aisha Amina Ayesha Fatima Hira Iqra Khadija Maryam Nadia Rabia Saima Samina Shabana Shazia Sobia
Sumera Tahira Uzma Zainab Zara Aleena Anam Hafsa Hania Humaira Laiba Mehwish Nazia Rukhsana Safia
Sana Zoya Nosheen Bushra Kiran Farah Asma Noor Alisha Aneesa Amna Mariam Saba Sidra Tasneem Yasmin
""")
PAKISTANI_SURNAMES = _words("""
Hussain Khan Ali Ahmed Akhtar Iqbal Mahmood Rashid Shah Riaz Aslam Bashir Butt Hanif Javed Karim
Latif Mirza Nawaz Qureshi Rafiq Rehman Saleem Shafiq Sadiq Yousaf Zaman Anwar Arshad Aziz Farooq
Hameed Jabbar Kabir Malik Mughal Raja Sultan Tariq Younis Zafar Dar Mir Abbas Sabir
""")
BANGLADESHI_BOYS = _words("""
Abdul Shahid Rahim Jamal Kamal Anwar Faruk Habib Mizanur Rashed Shafiq Tanvir Arif Sabbir Shahin
Jubair Raihan Sohel Nazmul Ayan Tamim Yusuf
""")
BANGLADESHI_GIRLS = _words("""
Rahima Nasrin Shirin Salma Ruma Shapla Taslima Sultana Farzana Rokeya Jahanara Tahmina Sumaiya
Nusrat Afroza Mim Tania Sadia Ruksana
""")
BANGLADESHI_SURNAMES = _words("""
Miah Uddin Rahman Islam Ahmed Hoque Chowdhury Alam Hossain Sarkar Karim Ullah Begum Khatun Ali
""")
INDIAN_BOYS = _words("""
Amarjit Gurpreet Harjit Jaswinder Kuldip Manjit Rajinder Sukhdev Ravi Sanjay Vijay Anil Arjun Rohan
Karan Jaspal Navdeep Dev Nikhil Vikram Sunil
""")
INDIAN_GIRLS = _words("""
Amandeep Baljit Harpreet Jasvir Kiran Manpreet Navjot Parminder Priya Rajvinder Simran Sunita Anjali
Neha Pooja Meena Kavita Asha Sonia Nisha
""")
INDIAN_SURNAMES = _words("""
Singh Kaur Sandhu Gill Dhillon Sidhu Bains Patel Sharma Kumar Mistry Chauhan Lal Rai Sahota Johal
Bassi
""")

# --- Eastern European and Roma --------------------------------------------------------------------------
EAST_EUROPEAN_BOYS = _words("""
Jakub Kacper Szymon Mateusz Filip Michał Bartosz Dawid Wiktor Paweł Łukasz Tomasz Piotr Krzysztof
Marek Adrian Dominik Patryk Tomáš Lukáš Martin Peter Marius Andrei Ionuț Darius Mantas Tomas Jānis
Oskar
""")
EAST_EUROPEAN_GIRLS = _words("""
Zuzanna Julia Maja Zofia Natalia Wiktoria Aleksandra Oliwia Kinga Agnieszka Katarzyna Magdalena
Monika Paulína Simona Veronika Lucia Andreea Ioana Gabriela Laura Ieva Agnė Małgorzata Justyna
Karolina
""")
EAST_EUROPEAN_SURNAMES = _words("""
Kowalski/Kowalska Nowak/Nowak Wiśniewski/Wiśniewska Wójcik/Wójcik Kamiński/Kamińska
Lewandowski/Lewandowska Zieliński/Zielińska Szymański/Szymańska Woźniak/Woźniak Dąbrowski/Dąbrowska
Kozłowski/Kozłowska Jankowski/Jankowska Mazur/Mazur Kwiatkowski/Kwiatkowska Krawczyk/Krawczyk
Piotrowski/Piotrowska Novák/Nováková Kováč/Kováčová Varga/Vargová Tóth/Tóthová Popescu/Popescu
Ionescu/Ionescu Kazlauskas/Kazlauskienė Bērziņš/Bērziņa Petrov/Petrova
""")
ROMA_BOYS = _words("""
Milan Jozef Ladislav Roman Marek Patrik Dávid Róbert Kevin Denis Erik Mário Samuel Tibor Vojtech
Stanislav Rudolf Dušan
""")
ROMA_GIRLS = _words("""
Monika Martina Nikola Vanessa Simona Sabina Klaudia Dominika Veronika Aneta Lenka Renáta Silvia
Kristína Jana Denisa Andrea Iveta
""")
ROMA_SURNAMES = _words("""
Horváth/Horváthová Balog/Balogová Kaleja/Kalejová Lakatoš/Lakatošová Gaži/Gažiová Oláh/Oláhová
Červeňák/Červeňáková Pompa/Pompová Dudi/Dudiová Mirga/Mirgová Kotlár/Kotlárová Ferko/Ferková
Giňa/Giňová Bartoš/Bartošová Demeter/Demeterová Husár/Husárová
""")

# --- African, Caribbean, Middle Eastern and Afghan, Chinese ------------------------------------------------
AFRICAN_BOYS = _words("""
Chinedu Emeka Oluwaseun Tunde Kwame Kofi Tendai Tatenda Farai Abdirahman Mohamed Abdi Samuel David
Daniel Joseph Emmanuel Prince Tinashe Chukwudi Kelechi Ayodele Ahmed Yusuf
""")
AFRICAN_GIRLS = _words("""
Chioma Ngozi Adaeze Funmilayo Blessing Precious Rudo Nyasha Fadumo Hodan Amina Ifeoma Esther Grace
Mercy Favour Faith Chipo Nomvula Deborah Ruth Hawa
""")
AFRICAN_SURNAMES = _words("""
Okafor Okeke Adeyemi Oladipo Eze Nwosu Mensah Boateng Moyo Ncube Dube Sibanda Mutasa Hassan Abdi
Mohamed Ibrahim Kamara Diallo Okonkwo Obi Adebayo Osei Warsame
""")
CARIBBEAN_BOYS = _words("""
Tyrone Marcus Jermaine Delroy Leon Andre Jamal Darnell Winston Errol Dwayne Malachi Isaiah Kadeem
Nathaniel Elijah Courtney Devon
""")
CARIBBEAN_GIRLS = _words("""
Shanice Tanisha Keisha Aaliyah Monique Jasmine Chantelle Simone Marcia Janelle Natalie Tiana Jada
Kerry-Ann Maya Patrice
""")
CARIBBEAN_SURNAMES = _words("""
Campbell Brown Williams Thompson Clarke Francis Reid Grant Johnson Henry Morgan Bailey Spencer
Walker Robinson Gordon Stewart Lewis
""")
MIDDLE_EASTERN_BOYS = _words("""
Ahmad Karwan Hemin Rebwar Dilshad Aram Hawkar Shwan Omid Reza Farhad Mustafa Abdullah Hamid Jawad
Nawid Sami Yousef Khalid Ali Zana Sirwan
""")
MIDDLE_EASTERN_GIRLS = _words("""
Shilan Avin Narin Rozhan Bahar Shirin Parisa Zahra Maryam Leila Nasrin Soraya Hana Lana Dilan Sara
Rezan
""")
MIDDLE_EASTERN_SURNAMES = _words("""
Ahmadi Rahimi Mohammadi Karimi Hosseini Mahmoud Aziz Hassan Rasul Abdullah Amin Qadir Salih Mohammed
Omar Stanekzai Popal Noori Jaff Barzani
""")
CHINESE_BOYS = _words("Wei Jun Hao Jian Ming Kai Jason Kevin Eric Tony Chun Yu")
CHINESE_GIRLS = _words("Mei Li Xin Yan Ying Hui Jing Amy Jenny Grace Lily Ling")
CHINESE_SURNAMES = _words("Wong Chan Li Zhang Wang Liu Chen Lee Cheung Ng Lam Yang Huang Lin Zhou")


class Community:
    """Given-name and surname pools of one community."""

    __slots__ = ("adult_female", "adult_male", "female", "female_surname", "male", "name", "surnames")

    def __init__(
        self,
        name: str,
        girls: list[str],
        boys: list[str],
        surnames: list[str],
        women: list[str] | None = None,
        men: list[str] | None = None,
    ) -> None:
        self.name = name
        self.female = Pool(girls)
        self.male = Pool(boys)
        self.adult_female = Pool(women or girls)
        self.adult_male = Pool(men or boys)
        male_forms = [s.split("/")[0] for s in surnames]
        self.surnames = Pool(male_forms, flatness=4.0)
        self.female_surname = {s.split("/")[0]: s.split("/")[-1] for s in surnames}

    def given(self, rng: random.Random, sex: str, adult: bool) -> str:
        if adult:
            return (self.adult_female if sex == "F" else self.adult_male).pick(rng)
        return (self.female if sex == "F" else self.male).pick(rng)

    def surname_for(self, family: str, sex: str) -> str:
        """The form of a household's family name that a person of this sex carries."""
        return self.female_surname.get(family, family) if sex == "F" else family


COMMUNITIES: dict[str, Community] = {
    c.name: c
    for c in (
        Community(
            "british",
            BRITISH_GIRLS_CHILD,
            BRITISH_BOYS_CHILD,
            BRITISH_SURNAMES,
            BRITISH_WOMEN_ADULT,
            BRITISH_MEN_ADULT,
        ),
        Community("irish", IRISH_GIRLS, IRISH_BOYS, IRISH_SURNAMES),
        Community("pakistani", PAKISTANI_GIRLS, PAKISTANI_BOYS, PAKISTANI_SURNAMES),
        Community("bangladeshi", BANGLADESHI_GIRLS, BANGLADESHI_BOYS, BANGLADESHI_SURNAMES),
        Community("indian", INDIAN_GIRLS, INDIAN_BOYS, INDIAN_SURNAMES),
        Community("east_european", EAST_EUROPEAN_GIRLS, EAST_EUROPEAN_BOYS, EAST_EUROPEAN_SURNAMES),
        Community("roma", ROMA_GIRLS, ROMA_BOYS, ROMA_SURNAMES),
        Community("african", AFRICAN_GIRLS, AFRICAN_BOYS, AFRICAN_SURNAMES),
        Community("caribbean", CARIBBEAN_GIRLS, CARIBBEAN_BOYS, CARIBBEAN_SURNAMES),
        Community("middle_eastern", MIDDLE_EASTERN_GIRLS, MIDDLE_EASTERN_BOYS, MIDDLE_EASTERN_SURNAMES),
        Community("chinese", CHINESE_GIRLS, CHINESE_BOYS, CHINESE_SURNAMES),
    )
}

# DfE ethnicity code -> (share of the school population, community of the father's line, of the mother's).
# Shares are close to a South Yorkshire town's school census around 2012.
ETHNICITIES: dict[str, tuple[float, str, str]] = {
    "WBRI": (82.5, "british", "british"),
    "WIRI": (0.3, "irish", "irish"),
    "WIRT": (0.1, "irish", "irish"),
    "WOTH": (2.3, "east_european", "east_european"),
    "WROM": (1.2, "roma", "roma"),
    "MWBC": (0.9, "caribbean", "british"),
    "MWBA": (0.3, "african", "british"),
    "MWAS": (0.8, "pakistani", "british"),
    "MOTH": (0.8, "british", "middle_eastern"),
    "AIND": (0.5, "indian", "indian"),
    "APKN": (6.5, "pakistani", "pakistani"),
    "ABAN": (0.2, "bangladeshi", "bangladeshi"),
    "AOTH": (0.6, "middle_eastern", "middle_eastern"),
    "BCRB": (0.2, "caribbean", "caribbean"),
    "BAFR": (1.0, "african", "african"),
    "BOTH": (0.2, "african", "african"),
    "CHNE": (0.3, "chinese", "chinese"),
    "OOTH": (1.3, "middle_eastern", "middle_eastern"),
}
# Codes an agency writes when the person refused (REFU) or the information was not obtained (NOBT).
NOT_RECORDED_CODES = ("REFU", "NOBT")

# Given name -> forms an agency may write instead: short forms and spelling variants.
GIVEN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Jessica": ("Jess", "Jessie"),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam", "Sammy"),
    "Victoria": ("Vicky", "Tori"),
    "Bethany": ("Beth",),
    "Elizabeth": ("Liz", "Beth"),
    "Natasha": ("Tasha", "Tash"),
    "Charlotte": ("Charlie", "Lottie"),
    "Abigail": ("Abbie", "Abi"),
    "Abbie": ("Abby", "Abigail"),
    "Nicole": ("Nikki",),
    "Nicola": ("Nikki",),
    "Danielle": ("Dani",),
    "Gemma": ("Jemma",),
    "Stacey": ("Stacy",),
    "Kayleigh": ("Kayley", "Kaylee"),
    "Megan": ("Meg", "Meghan"),
    "Kimberley": ("Kim", "Kimberly"),
    "Isabelle": ("Izzy", "Isobel"),
    "Eleanor": ("Ellie",),
    "Amelia": ("Millie",),
    "Katie": ("Katy", "Kate"),
    "Leanne": ("Lee-Anne",),
    "Jodie": ("Jody",),
    "Kelsey": ("Kelsie",),
    "Caitlin": ("Katelyn",),
    "Zoe": ("Zoë",),
    "Chloe": ("Chloé",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Joshua": ("Josh",),
    "Samuel": ("Sam", "Sammy"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie"),
    "Joseph": ("Joe", "Joey"),
    "Alexander": ("Alex",),
    "Benjamin": ("Ben",),
    "William": ("Will", "Billy"),
    "Callum": ("Calum",),
    "Michael": ("Mike", "Mick"),
    "Christopher": ("Chris",),
    "Anthony": ("Tony", "Ant"),
    "Nathan": ("Nate",),
    "Zach": ("Zack", "Zachary"),
    "Jake": ("Jacob",),
    "Bradley": ("Brad",),
    "Nicholas": ("Nick",),
    "Robert": ("Rob", "Bob"),
    "Stephen": ("Steve", "Steven"),
    "Steven": ("Steve", "Stephen"),
    "Richard": ("Rich",),
    "Andrew": ("Andy",),
    "David": ("Dave",),
    "Jonathan": ("Jon",),
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed", "Muhammed"),
    "Muhammad": ("Mohammed", "Mohammad", "Muhammed"),
    "Mohamed": ("Mohammed", "Mohamud"),
    "Aisha": ("Ayesha", "Aysha"),
    "Ayesha": ("Aisha",),
    "Maryam": ("Mariam",),
    "Mariam": ("Maryam",),
    "Yusuf": ("Yousef", "Yousuf"),
    "Yousef": ("Yusuf",),
    "Umar": ("Omar",),
    "Omar": ("Umar",),
    "Usman": ("Osman",),
    "Hussain": ("Hussein",),
    "Zainab": ("Zaynab",),
    "Khadija": ("Khadijah",),
    "Iqra": ("Ikra",),
    "Ibrahim": ("Ebrahim",),
    "Zakariya": ("Zakaria", "Zak"),
    "Abdullah": ("Abdulla",),
    "Jakub": ("Kuba", "Jacob"),
    "Aleksandra": ("Ola", "Alexandra"),
    "Katarzyna": ("Kasia",),
    "Małgorzata": ("Gosia",),
    "Zuzanna": ("Zuzia", "Susanna"),
    "Mateusz": ("Mat",),
    "Michał": ("Michael",),
    "Wiktoria": ("Victoria",),
    "Oliwia": ("Olivia",),
    "Krzysztof": ("Chris",),
    "Jozef": ("Joseph",),
    "Róbert": ("Robert",),
    "Dávid": ("David",),
    "Kristína": ("Kristina", "Christina"),
    "Patrick": ("Paddy", "Pat"),
    "Bridget": ("Biddy", "Bridie"),
    "Margaret": ("Maggie", "Peggy"),
    "Kathleen": ("Kath", "Kathy"),
    "Chinedu": ("Chin",),
    "Oluwaseun": ("Seun",),
    "Funmilayo": ("Funmi",),
}

# Street names offenders go by, as recorded in police intelligence. Some derive from a given name.
DERIVED_NICKNAMES: dict[str, str] = {
    "Mohammed": "Mo",
    "Muhammad": "Mo",
    "Kashif": "Kash",
    "Nadeem": "Naz",
    "Nasir": "Naz",
    "Zafar": "Zaf",
    "Sajid": "Saj",
    "Tariq": "Taz",
    "Basharat": "Bash",
    "Kamran": "Kam",
    "Shakeel": "Shak",
    "Darren": "Daz",
    "Gary": "Gaz",
    "Barry": "Baz",
    "Dean": "Deano",
    "Thomas": "Tommo",
    "Michael": "Micky",
    "Anthony": "Ant",
    "Richard": "Richie",
    "Raymond": "Ray",
    "Christopher": "Chris",
    "Andrei": "Andi",
    "Jozef": "Jožo",
    "Ladislav": "Laco",
    "Milan": "Mila",
    "Kevin": "Kev",
    "Stephen": "Stevo",
    "Wayne": "Wazza",
    "Arshid": "Ash",
    "Asif": "Ash",
    "Razwan": "Razza",
    "Shahid": "Shady",
    "Umar": "Ums",
    "Ibrahim": "Ibby",
}
STREET_NICKNAMES = _words("""
Boss Smiler Lucky Sunny Rocky Jinx Bigs Slim Tiny Chief Dolla Prince Spider Blade Cappo Mad-Dog
Shady Milky Ghost Tank Bruv Silver Lion Papa Sparky
""")
