-- Reporting views: suppressed public-health aggregates for Grafana (dashboards/grafana), and the
-- NOLOGIN role `doctel_reporting` that may read them and nothing else.
--
-- Prisma models none of this (views, a schema of their own, a role, grants): it is raw SQL, and
-- `prisma migrate diff` ignores it. Nothing here is written by the indexer: the views read the
-- rollups it keeps current (case_trend_weekly, case_count_daily), so they are always up to date.
--
-- ===================================== Disclosure control =====================================
--
-- Rule (CMS cell-size rule, graphql/analytics/disclosure/policy.ts MIN_CELL_COUNT): no released
-- count of cases is between 1 and 10, and no such count can be worked out by subtraction from
-- what the views release. A suppressed cell is NULL; a cell with no case has no row (zeros
-- disclose nobody). Every count column is called `cases`.
--
-- What is released. Four views, all on the same grid: completed ISO weeks (Monday-Sunday, India's
-- IDSP weeks, reporting days in IST as the rollups count them) x ICD-10 3-character category.
-- Call one (week, category) pair a *group* and N its number of cases.
--   V0 weekly_cases_national    N                                        one cell per group
--   V1 weekly_cases_by_state    N split by state                         line: the group
--   V2 weekly_cases_by_age_sex  N split by 20-year age band x sex        line: the group
--   V3 weekly_cases_by_district each state's count split by district     lines: (group, state)
--
-- Why no suppressed cell can be recovered:
--
-- 1. Groups never meet. No view adds weeks together (no month, year or all-time totals) or
--    categories together (no chapter or all-diagnoses totals), and only one week system is
--    released (ISO weeks and MMWR weeks differ by a day, and a day without cases would make a
--    union of one equal a union of the other). So every equation an attacker can write between
--    released cells stays inside one group: a group's cells are related to N and to each other,
--    never to another group's. Only completed weeks are released, so the views do not change every
--    few minutes as cases arrive (see "Left open" for what can still change).
--
-- 2. Inside a group, the tables are V0 (N), V1 and V2 (two partitions of N by different
--    variables) and V3 (a partition of each V1 cell). Two partitions by unrelated variables
--    (state; age band x sex) share no subtotal: the only equation linking them is that both sum to
--    N. So the equations are exactly: sum(V1) = N, sum(V2) = N, and sum(V3 cells of state s) =
--    V1(s) for each state. V0 releases N itself, so every rule below assumes N is known; when it
--    is suppressed (N <= 10), every cell of the group is at most N, hence suppressed too, and N is
--    in no other equation (no total over weeks or categories exists), so it cannot be derived.
--
-- 3. Each line (a total and its parts) is protected with complementary suppression: the parts are
--    ranked by count (ties by key); every part of 1..10 is suppressed (primary), and if any part is
--    suppressed, the smallest parts are suppressed until at least two are suppressed AND their sum
--    is at least 11 (or every part of the line is). One suppressed part would be the total minus
--    the released parts; two summing to, say, 7 would disclose a group of 7. Complements are never
--    zero cells (zeros have no row), and there are always enough non-zero parts: a line whose total
--    is >= 11 reaches the threshold by suppressing all its non-zero parts at worst; a line whose
--    total is <= 10 is entirely suppressed, and then its total is itself suppressed and protected
--    by the line above it (V1's line, or V0 as said in 2).
--
-- 4. The hierarchy V1 -> V3 is where one-pass suppression usually fails: a state suppressed in V1
--    only as a complement (its count is >= 11) whose districts are all released would be their
--    sum, and then the other suppressed state would be N minus everything else. So V3 is computed
--    after V1 and a state suppressed in V1 must have at least one suppressed district in V3 (the
--    line rule above then makes it two, summing to >= 11, unless the state has a single district).
--    Then, with P the states suppressed in V1 (none, or at least two summing to >= 11):
--      - a state not in P has a released count, and its districts are protected by their line;
--      - for the states in P, substituting V1(s) = released districts + suppressed districts into
--        sum over P of V1(s) = N - released states leaves one equation whose unknowns are the
--        suppressed districts of *every* state in P: at least two states with at least one each,
--        so no district and no state total is determined, and their sum is >= 11 (each state in P
--        either is <= 10 and wholly suppressed, adding its whole count, or is >= 11 and suppresses
--        >= 11 of districts; P's states sum to >= 11).
--    V2 is a single line under N and needs nothing more.
--
-- 5. Districts are released only where the 2011 Census counted at least 20,000 people (HIPAA
--    Safe Harbor's small-area rule, as graphql/analytics/datasets/hierarchies.ts does). The others
--    (99 districts created after 2011 have no figure; one is smaller) are pooled per state in one
--    V3 cell with a NULL district, which is a part of its line like any other, so it cannot be
--    recovered either. Ages are released in 20-year bands ("0-19" .. "60-79", "80+"): 5-year bands
--    by sex would leave almost every weekly cell suppressed.
--
-- test/grafana/reporting-views.test.ts checks this on seeded and random data with an exact linear
-- audit: as the attacker, it writes every equation above from what the role can read and checks
-- that no suppressed cell (nor N when suppressed) is determined by them.
--
-- Left open, by design of a live read model: (a) a completed week can still change when a
-- diagnosis is recorded late, revised, or a reorg rolls one back, and two snapshots of the views
-- taken before and after can be differenced; (b) these views are one release channel: the API's
-- analytics (caseCounts, caseTrends) publish other cuts of the same cases to PUBLIC_HEALTH
-- analysts, and combining both channels is not covered here (the API keeps its own release log).
--
-- ========================================= Access ============================================
--
-- doctel_reporting is NOLOGIN: login users are granted it (docker-compose's Grafana user, see
-- dashboards/postgres/init/). Roles are cluster-wide, so it is created only when missing: several
-- databases on one server (tests, staging) share it, and an init script may create it first so
-- that a migrating user without CREATEROLE still works. It gets USAGE on schema `reporting` and
-- SELECT on the four views, nothing else: the views run with their owner's rights (not
-- security_invoker), so the role never needs the rollup tables, and it gets no right on `public`'s
-- tables (treatment, patient, event_log...). The views are security barriers, so a function of the
-- reader's own placed in a WHERE clause cannot see rows before the views filter them.

-- ------------------------------------------------------------------------------- the role

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_reporting') THEN
    CREATE ROLE doctel_reporting NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;

-- ------------------------------------------------------------------------------- the schema

CREATE SCHEMA "reporting";
REVOKE ALL ON SCHEMA "reporting" FROM PUBLIC;

-- Reference tables for names and the district population rule, from shared/reference/regions-data.ts
-- (LGD codes, Census 2011 populations; test/grafana/reporting-views.test.ts keeps them equal).
-- Not granted to anyone: the views join them.
CREATE TABLE "reporting"."state_ref" (
    "code" SMALLINT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "state_ref_pkey" PRIMARY KEY ("code")
);

CREATE TABLE "reporting"."district_ref" (
    "code" SMALLINT NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "name" TEXT NOT NULL,
    -- Census 2011 population, NULL for districts created later (unknown: pooled, never released alone).
    "population_2011" INTEGER,

    CONSTRAINT "district_ref_pkey" PRIMARY KEY ("code")
);

INSERT INTO reporting.state_ref (code, name) VALUES
  (1, 'Jammu and Kashmir'),
  (2, 'Himachal Pradesh'),
  (3, 'Punjab'),
  (4, 'Chandigarh'),
  (5, 'Uttarakhand'),
  (6, 'Haryana'),
  (7, 'Delhi'),
  (8, 'Rajasthan'),
  (9, 'Uttar Pradesh'),
  (10, 'Bihar'),
  (11, 'Sikkim'),
  (12, 'Arunachal Pradesh'),
  (13, 'Nagaland'),
  (14, 'Manipur'),
  (15, 'Mizoram'),
  (16, 'Tripura'),
  (17, 'Meghalaya'),
  (18, 'Assam'),
  (19, 'West Bengal'),
  (20, 'Jharkhand'),
  (21, 'Odisha'),
  (22, 'Chhattisgarh'),
  (23, 'Madhya Pradesh'),
  (24, 'Gujarat'),
  (27, 'Maharashtra'),
  (28, 'Andhra Pradesh'),
  (29, 'Karnataka'),
  (30, 'Goa'),
  (31, 'Lakshadweep'),
  (32, 'Kerala'),
  (33, 'Tamil Nadu'),
  (34, 'Puducherry'),
  (35, 'Andaman and Nicobar Islands'),
  (36, 'Telangana'),
  (37, 'Ladakh'),
  (38, 'Dadra and Nagar Haveli and Daman and Diu');

INSERT INTO reporting.district_ref (code, state_code, name, population_2011) VALUES
  (1, 1, 'Anantnag', 1078692),
  (2, 1, 'Budgam', 753745),
  (3, 1, 'Baramulla', 1008039),
  (4, 1, 'Doda', 409936),
  (5, 1, 'Jammu', 1529958),
  (6, 37, 'Kargil', 140802),
  (7, 1, 'Kathua', 616435),
  (8, 1, 'Kupwara', 870354),
  (9, 37, 'Leh Ladakh', 133487),
  (10, 1, 'Poonch', 476835),
  (11, 1, 'Pulwama', 560440),
  (12, 1, 'Rajouri', 642415),
  (13, 1, 'Srinagar', 1236829),
  (14, 1, 'Udhampur', 554985),
  (15, 2, 'Bilaspur', 381956),
  (16, 2, 'Chamba', 519080),
  (17, 2, 'Hamirpur', 454768),
  (18, 2, 'Kangra', 1510075),
  (19, 2, 'Kinnaur', 84121),
  (20, 2, 'Kullu', 437903),
  (21, 2, 'Lahul and Spiti', 31564),
  (22, 2, 'Mandi', 999777),
  (23, 2, 'Shimla', 814010),
  (24, 2, 'Sirmaur', 529855),
  (25, 2, 'Solan', 580320),
  (26, 2, 'Una', 521173),
  (27, 3, 'Amritsar', 2490656),
  (28, 3, 'Bathinda', 1388525),
  (29, 3, 'Faridkot', 617508),
  (30, 3, 'Fatehgarh Sahib', 600163),
  (31, 3, 'Ferozepur', 2029074),
  (32, 3, 'Gurdaspur', 2298323),
  (33, 3, 'Hoshiarpur', 1586625),
  (34, 3, 'Jalandhar', 2193590),
  (35, 3, 'Kapurthala', 815168),
  (36, 3, 'Ludhiana', 3498739),
  (37, 3, 'Mansa', 769751),
  (38, 3, 'Moga', 995746),
  (39, 3, 'Sri Muktsar Sahib', 901896),
  (40, 3, 'Shahid Bhagat Singh Nagar', 612310),
  (41, 3, 'Patiala', 1895686),
  (42, 3, 'Rupnagar', 684627),
  (43, 3, 'Sangrur', 1655169),
  (44, 4, 'Chandigarh', 1055450),
  (45, 5, 'Almora', 622506),
  (46, 5, 'Bageshwar', 259898),
  (47, 5, 'Chamoli', 391605),
  (48, 5, 'Champawat', 259648),
  (49, 5, 'Dehradun', 1696694),
  (50, 5, 'Haridwar', 1890422),
  (51, 5, 'Nainital', 954605),
  (52, 5, 'Pauri Garhwal', 687271),
  (53, 5, 'Pithoragarh', 483439),
  (54, 5, 'Rudra Prayag', 242285),
  (55, 5, 'Tehri Garhwal', 618931),
  (56, 5, 'Udam Singh Nagar', 1648902),
  (57, 5, 'Uttar Kashi', 330086),
  (58, 6, 'Ambala', 1128350),
  (59, 6, 'Bhiwani', 1634445),
  (60, 6, 'Faridabad', 1809733),
  (61, 6, 'Fatehabad', 942011),
  (62, 6, 'Gurugram', 1514432),
  (63, 6, 'Hisar', 1743931),
  (64, 6, 'Jhajjar', 958405),
  (65, 6, 'Jind', 1334152),
  (66, 6, 'Kaithal', 1074304),
  (67, 6, 'Karnal', 1505324),
  (68, 6, 'Kurukshetra', 964655),
  (69, 6, 'Mahendragarh', 922088),
  (70, 6, 'Panchkula', 561293),
  (71, 6, 'Panipat', 1205437),
  (72, 6, 'Rewari', 900332),
  (73, 6, 'Rohtak', 1061204),
  (74, 6, 'Sirsa', 1295189),
  (75, 6, 'Sonipat', 1450001),
  (76, 6, 'Yamunanagar', 1214205),
  (77, 7, 'Central', 582320),
  (78, 7, 'East', 1709346),
  (79, 7, 'New Delhi', 142004),
  (80, 7, 'North', 887978),
  (81, 7, 'North East', 2241624),
  (82, 7, 'North West', 3656539),
  (83, 7, 'South', 2731929),
  (84, 7, 'South West', 2292958),
  (85, 7, 'West', 2543243),
  (86, 8, 'Ajmer', 2583052),
  (87, 8, 'Alwar', 3674179),
  (88, 8, 'Banswara', 1797485),
  (89, 8, 'Baran', 1222755),
  (90, 8, 'Barmer', 2603751),
  (91, 8, 'Bharatpur', 2548462),
  (92, 8, 'Bhilwara', 2408523),
  (93, 8, 'Bikaner', 2363937),
  (94, 8, 'Bundi', 1110906),
  (95, 8, 'Chittorgarh', 1544338),
  (96, 8, 'Churu', 2039547),
  (97, 8, 'Dausa', 1634409),
  (98, 8, 'Dholpur', 1206516),
  (99, 8, 'Dungarpur', 1388552),
  (100, 8, 'Ganganagar', 1969168),
  (101, 8, 'Hanumangarh', 1774692),
  (102, 8, 'Jaipur', 6626178),
  (103, 8, 'Jaisalmer', 669919),
  (104, 8, 'Jalore', 1828730),
  (105, 8, 'Jhalawar', 1411129),
  (106, 8, 'Jhunjhunu', 2137045),
  (107, 8, 'Jodhpur', 3687165),
  (108, 8, 'Karauli', 1458248),
  (109, 8, 'Kota', 1951014),
  (110, 8, 'Nagaur', 3307743),
  (111, 8, 'Pali', 2037573),
  (112, 8, 'Rajsamand', 1156597),
  (113, 8, 'Sawai Madhopur', 1335551),
  (114, 8, 'Sikar', 2677333),
  (115, 8, 'Sirohi', 1036346),
  (116, 8, 'Tonk', 1421326),
  (117, 8, 'Udaipur', 3068420),
  (118, 9, 'Agra', 4418797),
  (119, 9, 'Aligarh', 3673889),
  (120, 9, 'Prayagraj', 5954391),
  (121, 9, 'Ambedkar Nagar', 2397888),
  (122, 9, 'Auraiya', 1379545),
  (123, 9, 'Azamgarh', 4613913),
  (124, 9, 'Baghpat', 1303048),
  (125, 9, 'Bahraich', 3487731),
  (126, 9, 'Ballia', 3239774),
  (127, 9, 'Balrampur', 2148665),
  (128, 9, 'Banda', 1799410),
  (129, 9, 'Barabanki', 3260699),
  (130, 9, 'Bareilly', 4448359),
  (131, 9, 'Basti', 2464464),
  (132, 9, 'Bijnor', 3682713),
  (133, 9, 'Budaun', 3681896),
  (134, 9, 'Bulandshahr', 3499171),
  (135, 9, 'Chandauli', 1952756),
  (136, 9, 'Chitrakoot', 991730),
  (137, 9, 'Deoria', 3100946),
  (138, 9, 'Etah', 1774480),
  (139, 9, 'Etawah', 1581810),
  (140, 9, 'Ayodhya', 2470996),
  (141, 9, 'Farrukhabad', 1885204),
  (142, 9, 'Fatehpur', 2632733),
  (143, 9, 'Firozabad', 2498156),
  (144, 9, 'Gautam Buddha Nagar', 1648115),
  (145, 9, 'Ghaziabad', 4681645),
  (146, 9, 'Ghazipur', 3620268),
  (147, 9, 'Gonda', 3433919),
  (148, 9, 'Gorakhpur', 4440895),
  (149, 9, 'Hamirpur', 1104285),
  (150, 9, 'Hardoi', 4092845),
  (151, 9, 'Jalaun', 1689974),
  (152, 9, 'Jaunpur', 4494204),
  (153, 9, 'Jhansi', 1998603),
  (154, 9, 'Amroha', 1840221),
  (155, 9, 'Kannauj', 1656616),
  (156, 9, 'Kanpur Dehat', 1796184),
  (157, 9, 'Kanpur Nagar', 4581268),
  (158, 9, 'Kaushambi', 1599596),
  (159, 9, 'Kheri', 4021243),
  (160, 9, 'Kushi Nagar', 3564544),
  (161, 9, 'Lalitpur', 1221592),
  (162, 9, 'Lucknow', 4589838),
  (163, 9, 'Hathras', 1564708),
  (164, 9, 'Maharajganj', 2684703),
  (165, 9, 'Mahoba', 875958),
  (166, 9, 'Mainpuri', 1868529),
  (167, 9, 'Mathura', 2547184),
  (168, 9, 'Mau', 2205968),
  (169, 9, 'Meerut', 3443689),
  (170, 9, 'Mirzapur', 2496970),
  (171, 9, 'Moradabad', 4772006),
  (172, 9, 'Muzaffarnagar', 4143512),
  (173, 9, 'Pilibhit', 2031007),
  (174, 9, 'Pratapgarh', 3209141),
  (175, 9, 'Rae Bareli', 3405559),
  (176, 9, 'Rampur', 2335819),
  (177, 9, 'Saharanpur', 3466382),
  (178, 9, 'Sant Kabeer Nagar', 1715183),
  (179, 9, 'Bhadohi', 1578213),
  (180, 9, 'Shahjahanpur', 3006538),
  (181, 9, 'Shravasti', 1117361),
  (182, 9, 'Siddharth Nagar', 2559297),
  (183, 9, 'Sitapur', 4483992),
  (184, 9, 'Sonbhadra', 1862559),
  (185, 9, 'Sultanpur', 3797117),
  (186, 9, 'Unnao', 3108367),
  (187, 9, 'Varanasi', 3676841),
  (188, 10, 'Araria', 2811569),
  (189, 10, 'Aurangabad', 2540073),
  (190, 10, 'Banka', 2034763),
  (191, 10, 'Begusarai', 2970541),
  (192, 10, 'Bhagalpur', 3037766),
  (193, 10, 'Bhojpur', 2728407),
  (194, 10, 'Buxar', 1706352),
  (195, 10, 'Darbhanga', 3937385),
  (196, 10, 'Gaya', 4391418),
  (197, 10, 'Gopalganj', 2562012),
  (198, 10, 'Jamui', 1760405),
  (199, 10, 'Jehanabad', 1125313),
  (200, 10, 'Kaimur (Bhabua)', 1626384),
  (201, 10, 'Katihar', 3071029),
  (202, 10, 'Khagaria', 1666886),
  (203, 10, 'Kishanganj', 1690400),
  (204, 10, 'Lakhisarai', 1000912),
  (205, 10, 'Madhepura', 2001762),
  (206, 10, 'Madhubani', 4487379),
  (207, 10, 'Munger', 1367765),
  (208, 10, 'Muzaffarpur', 4801062),
  (209, 10, 'Nalanda', 2877653),
  (210, 10, 'Nawada', 2219146),
  (211, 10, 'Pashchim Champaran', 3935042),
  (212, 10, 'Patna', 5838465),
  (213, 10, 'Purbi Champaran', 5099371),
  (214, 10, 'Purnia', 3264619),
  (215, 10, 'Rohtas', 2959918),
  (216, 10, 'Saharsa', 1900661),
  (217, 10, 'Samastipur', 4261566),
  (218, 10, 'Saran', 3951862),
  (219, 10, 'Sheikhpura', 636342),
  (220, 10, 'Sheohar', 656246),
  (221, 10, 'Sitamarhi', 3423574),
  (222, 10, 'Siwan', 3330464),
  (223, 10, 'Supaul', 2229076),
  (224, 10, 'Vaishali', 3495021),
  (225, 11, 'East District', 283583),
  (226, 11, 'North District', 43709),
  (227, 11, 'South District', 146850),
  (228, 11, 'West District', 136435),
  (229, 12, 'Changlang', 148226),
  (230, 12, 'Dibang Valley', 8004),
  (231, 12, 'East Kameng', 78690),
  (232, 12, 'East Siang', 99214),
  (233, 12, 'Kurung Kumey', 92076),
  (234, 12, 'Lohit', 145726),
  (235, 12, 'Lower Dibang Valley', 54080),
  (236, 12, 'Lower Subansiri', 83030),
  (237, 12, 'Papum Pare', 176573),
  (238, 12, 'Tawang', 49977),
  (239, 12, 'Tirap', 111975),
  (240, 12, 'Upper Siang', 35320),
  (241, 12, 'Upper Subansiri', 83448),
  (242, 12, 'West Kameng', 83947),
  (243, 12, 'West Siang', 112274),
  (244, 13, 'Dimapur', 378811),
  (245, 13, 'Kohima', 267988),
  (246, 13, 'Mokokchung', 194622),
  (247, 13, 'Mon', 250260),
  (248, 13, 'Phek', 163418),
  (249, 13, 'Tuensang', 196596),
  (250, 13, 'Wokha', 166343),
  (251, 13, 'Zunheboto', 140757),
  (252, 14, 'Bishnupur', 237399),
  (253, 14, 'Chandel', 144182),
  (254, 14, 'Churachandpur', 274143),
  (255, 14, 'Imphal East', 456113),
  (256, 14, 'Imphal West', 517992),
  (257, 14, 'Senapati', 479148),
  (258, 14, 'Tamenglong', 140651),
  (259, 14, 'Thoubal', 422168),
  (260, 14, 'Ukhrul', 183998),
  (261, 15, 'Aizawl', 400309),
  (262, 15, 'Champhai', 125745),
  (263, 15, 'Kolasib', 83955),
  (264, 15, 'Lawngtlai', 117894),
  (265, 15, 'Lunglei', 161428),
  (266, 15, 'Mamit', 86364),
  (267, 15, 'Saiha', 56574),
  (268, 15, 'Serchhip', 64937),
  (269, 16, 'Dhalai', 378230),
  (270, 16, 'North Tripura', 693947),
  (271, 16, 'South Tripura', 876001),
  (272, 16, 'West Tripura', 1725739),
  (273, 17, 'East Garo Hills', 317917),
  (274, 17, 'East Khasi Hills', 825922),
  (275, 17, 'West Jaintia Hills', 395124),
  (276, 17, 'Ri Bhoi', 258840),
  (277, 17, 'South Garo Hills', 142334),
  (278, 17, 'West Garo Hills', 643291),
  (279, 17, 'West Khasi Hills', 383461),
  (280, 18, 'Barpeta', 1693622),
  (281, 18, 'Bongaigaon', 738804),
  (282, 18, 'Cachar', 1736617),
  (283, 18, 'Darrang', 928500),
  (284, 18, 'Dhemaji', 686133),
  (285, 18, 'Dhubri', 1949258),
  (286, 18, 'Dibrugarh', 1326335),
  (287, 18, 'Goalpara', 1008183),
  (288, 18, 'Golaghat', 1066888),
  (289, 18, 'Hailakandi', 659296),
  (290, 18, 'Jorhat', 1092256),
  (291, 18, 'Kamrup', 1517542),
  (292, 18, 'Karbi Anglong', 956313),
  (293, 18, 'Karimganj', 1228686),
  (294, 18, 'Kokrajhar', 887142),
  (295, 18, 'Lakhimpur', 1042137),
  (296, 18, 'Marigaon', 957423),
  (297, 18, 'Nagaon', 2823768),
  (298, 18, 'Nalbari', 771639),
  (299, 18, 'Dima Hasao', 214102),
  (300, 18, 'Sivasagar', 1151050),
  (301, 18, 'Sonitpur', 1924110),
  (302, 18, 'Tinsukia', 1327929),
  (303, 19, '24 Paraganas North', 10009781),
  (304, 19, '24 Paraganas South', 8161961),
  (305, 19, 'Bankura', 3596674),
  (306, 19, 'Purba Bardhaman', 7717563),
  (307, 19, 'Birbhum', 3502404),
  (308, 19, 'Coochbehar', 2819086),
  (309, 19, 'Darjeeling', 1846823),
  (310, 19, 'Dinajpur Dakshin', 1676276),
  (311, 19, 'Dinajpur Uttar', 3007134),
  (312, 19, 'Hooghly', 5519145),
  (313, 19, 'Howrah', 4850029),
  (314, 19, 'Jalpaiguri', 3872846),
  (315, 19, 'Kolkata', 4496694),
  (316, 19, 'Maldah', 3988845),
  (317, 19, 'Medinipur East', 5095875),
  (318, 19, 'Medinipur West', 5913457),
  (319, 19, 'Murshidabad', 7103807),
  (320, 19, 'Nadia', 5167600),
  (321, 19, 'Purulia', 2930115),
  (322, 20, 'Bokaro', 2062330),
  (323, 20, 'Chatra', 1042886),
  (324, 20, 'Deoghar', 1492073),
  (325, 20, 'Dhanbad', 2684487),
  (326, 20, 'Dumka', 1321442),
  (327, 20, 'East Singhbum', 2293919),
  (328, 20, 'Garhwa', 1322784),
  (329, 20, 'Giridih', 2445474),
  (330, 20, 'Godda', 1313551),
  (331, 20, 'Gumla', 1025213),
  (332, 20, 'Hazaribagh', 1734495),
  (333, 20, 'Jamtara', 791042),
  (334, 20, 'Koderma', 716259),
  (335, 20, 'Latehar', 726978),
  (336, 20, 'Lohardaga', 461790),
  (337, 20, 'Pakur', 900422),
  (338, 20, 'Palamu', 1939869),
  (339, 20, 'Ranchi', 2914253),
  (340, 20, 'Sahebganj', 1150567),
  (341, 20, 'Saraikela Kharsawan', 1065056),
  (342, 20, 'Simdega', 599578),
  (343, 20, 'West Singhbhum', 1502338),
  (344, 21, 'Anugul', 1273821),
  (345, 21, 'Balangir', 1648997),
  (346, 21, 'Baleshwar', 2320529),
  (347, 21, 'Bargarh', 1481255),
  (348, 21, 'Bhadrak', 1506337),
  (349, 21, 'Boudh', 441162),
  (350, 21, 'Cuttack', 2624470),
  (351, 21, 'Deogarh', 312520),
  (352, 21, 'Dhenkanal', 1192811),
  (353, 21, 'Gajapati', 577817),
  (354, 21, 'Ganjam', 3529031),
  (355, 21, 'Jagatsinghapur', 1136971),
  (356, 21, 'Jajapur', 1827192),
  (357, 21, 'Jharsuguda', 579505),
  (358, 21, 'Kalahandi', 1576869),
  (359, 21, 'Kandhamal', 733110),
  (360, 21, 'Kendrapara', 1440361),
  (361, 21, 'Kendujhar', 1801733),
  (362, 21, 'Khordha', 2251673),
  (363, 21, 'Koraput', 1379647),
  (364, 21, 'Malkangiri', 613192),
  (365, 21, 'Mayurbhanj', 2519738),
  (366, 21, 'Nabarangpur', 1220946),
  (367, 21, 'Nayagarh', 962789),
  (368, 21, 'Nuapada', 610382),
  (369, 21, 'Puri', 1698730),
  (370, 21, 'Rayagada', 967911),
  (371, 21, 'Sambalpur', 1041099),
  (372, 21, 'Sonepur', 610183),
  (373, 21, 'Sundargarh', 2093437),
  (374, 22, 'Bastar', 1413199),
  (375, 22, 'Bilaspur', 2663629),
  (376, 22, 'Dantewada', 533638),
  (377, 22, 'Dhamtari', 799781),
  (378, 22, 'Durg', 3343872),
  (379, 22, 'Janjgir-Champa', 1619707),
  (380, 22, 'Jashpur', 851669),
  (381, 22, 'Kanker', 748941),
  (382, 22, 'Kabirdham', 822526),
  (383, 22, 'Korba', 1206640),
  (384, 22, 'Korea', 658917),
  (385, 22, 'Mahasamund', 1032754),
  (386, 22, 'Raigarh', 1493984),
  (387, 22, 'Raipur', 4063872),
  (388, 22, 'Rajnandgaon', 1537133),
  (389, 22, 'Surguja', 2359886),
  (390, 23, 'Anuppur', 749237),
  (391, 23, 'Ashoknagar', 845071),
  (392, 23, 'Balaghat', 1701698),
  (393, 23, 'Barwani', 1385881),
  (394, 23, 'Betul', 1575362),
  (395, 23, 'Bhind', 1703005),
  (396, 23, 'Bhopal', 2371061),
  (397, 23, 'Burhanpur', 757847),
  (398, 23, 'Chhatarpur', 1762375),
  (399, 23, 'Chhindwara', 2090922),
  (400, 23, 'Damoh', 1264219),
  (401, 23, 'Datia', 786754),
  (402, 23, 'Dewas', 1563715),
  (403, 23, 'Dhar', 2185793),
  (404, 23, 'Dindori', 704524),
  (405, 23, 'East Nimar', 1310061),
  (406, 23, 'Guna', 1241519),
  (407, 23, 'Gwalior', 2032036),
  (408, 23, 'Harda', 570465),
  (409, 23, 'Hoshangabad', 1241350),
  (410, 23, 'Indore', 3276697),
  (411, 23, 'Jabalpur', 2463289),
  (412, 23, 'Jhabua', 1025048),
  (413, 23, 'Katni', 1292042),
  (414, 23, 'Khargone', 1873046),
  (415, 23, 'Mandla', 1054905),
  (416, 23, 'Mandsaur', 1340411),
  (417, 23, 'Morena', 1965970),
  (418, 23, 'Narsinghpur', 1091854),
  (419, 23, 'Neemuch', 826067),
  (420, 23, 'Panna', 1016520),
  (421, 23, 'Raisen', 1331597),
  (422, 23, 'Rajgarh', 1545814),
  (423, 23, 'Ratlam', 1455069),
  (424, 23, 'Rewa', 2365106),
  (425, 23, 'Sagar', 2378458),
  (426, 23, 'Satna', 2228935),
  (427, 23, 'Sehore', 1311332),
  (428, 23, 'Seoni', 1379131),
  (429, 23, 'Shahdol', 1066063),
  (430, 23, 'Shajapur', 1512681),
  (431, 23, 'Sheopur', 687861),
  (432, 23, 'Shivpuri', 1726050),
  (433, 23, 'Sidhi', 1127033),
  (434, 23, 'Tikamgarh', 1445166),
  (435, 23, 'Ujjain', 1986864),
  (436, 23, 'Umaria', 644758),
  (437, 23, 'Vidisha', 1458875),
  (438, 24, 'Ahmadabad', 7214225),
  (439, 24, 'Amreli', 1514190),
  (440, 24, 'Anand', 2092745),
  (441, 24, 'Banas Kantha', 3120506),
  (442, 24, 'Bharuch', 1551019),
  (443, 24, 'Bhavnagar', 2880365),
  (444, 24, 'Dang', 228291),
  (445, 24, 'Dohad', 2127086),
  (446, 24, 'Gandhinagar', 1391753),
  (447, 24, 'Jamnagar', 2160119),
  (448, 24, 'Junagadh', 2743082),
  (449, 24, 'Kachchh', 2092371),
  (450, 24, 'Kheda', 2299885),
  (451, 24, 'Mahesana', 2035064),
  (452, 24, 'Narmada', 590297),
  (453, 24, 'Navsari', 1329672),
  (454, 24, 'Panch Mahals', 2390776),
  (455, 24, 'Patan', 1343734),
  (456, 24, 'Porbandar', 585449),
  (457, 24, 'Rajkot', 3804558),
  (458, 24, 'Sabar Kantha', 2428589),
  (459, 24, 'Surat', 6081322),
  (460, 24, 'Surendranagar', 1756268),
  (461, 24, 'Vadodara', 4165626),
  (462, 24, 'Valsad', 1705678),
  (463, 38, 'Daman', 191173),
  (464, 38, 'Diu', 52074),
  (465, 38, 'Dadra and Nagar Haveli', 343709),
  (466, 27, 'Ahmednagar', 4543159),
  (467, 27, 'Akola', 1813906),
  (468, 27, 'Amravati', 2888445),
  (469, 27, 'Aurangabad', 3701282),
  (470, 27, 'Beed', 2585049),
  (471, 27, 'Bhandara', 1200334),
  (472, 27, 'Buldhana', 2586258),
  (473, 27, 'Chandrapur', 2204307),
  (474, 27, 'Dhule', 2050862),
  (475, 27, 'Gadchiroli', 1072942),
  (476, 27, 'Gondia', 1322507),
  (477, 27, 'Hingoli', 1177345),
  (478, 27, 'Jalgaon', 4229917),
  (479, 27, 'Jalna', 1959046),
  (480, 27, 'Kolhapur', 3876001),
  (481, 27, 'Latur', 2454196),
  (482, 27, 'Mumbai', 3085411),
  (483, 27, 'Mumbai Suburban', 9356962),
  (484, 27, 'Nagpur', 4653570),
  (485, 27, 'Nanded', 3361292),
  (486, 27, 'Nandurbar', 1648295),
  (487, 27, 'Nashik', 6107187),
  (488, 27, 'Osmanabad', 1657576),
  (489, 27, 'Parbhani', 1836086),
  (490, 27, 'Pune', 9429408),
  (491, 27, 'Raigad', 2634200),
  (492, 27, 'Ratnagiri', 1615069),
  (493, 27, 'Sangli', 2822143),
  (494, 27, 'Satara', 3003741),
  (495, 27, 'Sindhudurg', 849651),
  (496, 27, 'Solapur', 4317756),
  (497, 27, 'Thane', 11060148),
  (498, 27, 'Wardha', 1300774),
  (499, 27, 'Washim', 1197160),
  (500, 27, 'Yavatmal', 2772348),
  (501, 36, 'Adilabad', 2741239),
  (502, 28, 'Anantapur', 4081148),
  (503, 28, 'Chittoor', 4174064),
  (504, 28, 'Y.S.R.', 2882469),
  (505, 28, 'East Godavari', 5154296),
  (506, 28, 'Guntur', 4887813),
  (507, 36, 'Hyderabad', 3943323),
  (508, 36, 'Karimnagar', 3776269),
  (509, 36, 'Khammam', 2797370),
  (510, 28, 'Krishna', 4517398),
  (511, 28, 'Kurnool', 4053463),
  (512, 36, 'Mahabubnagar', 4053028),
  (513, 36, 'Medak', 3033288),
  (514, 36, 'Nalgonda', 3488809),
  (515, 28, 'SPSR Nellore', 2963557),
  (516, 36, 'Nizamabad', 2551335),
  (517, 28, 'Prakasam', 3397448),
  (518, 36, 'Ranga Reddy', 5296741),
  (519, 28, 'Srikakulam', 2703114),
  (520, 28, 'Visakhapatanam', 4290589),
  (521, 28, 'Vizianagaram', 2344474),
  (522, 36, 'Warangal', 3512576),
  (523, 28, 'West Godavari', 3936966),
  (524, 29, 'Bagalkote', 1889752),
  (525, 29, 'Bengaluru Urban', 9621551),
  (526, 29, 'Bengaluru Rural', 990923),
  (527, 29, 'Belagavi', 4779661),
  (528, 29, 'Ballari', 2452595),
  (529, 29, 'Bidar', 1703300),
  (530, 29, 'Vijayapura', 2177331),
  (531, 29, 'Chamarajanagara', 1020791),
  (532, 29, 'Chikkamagaluru', 1137961),
  (533, 29, 'Chitradurga', 1659456),
  (534, 29, 'Dakshina Kannada', 2089649),
  (535, 29, 'Davangere', 1945497),
  (536, 29, 'Dharwad', 1847023),
  (537, 29, 'Gadag', 1064570),
  (538, 29, 'Kalaburagi', 2566326),
  (539, 29, 'Hassan', 1776421),
  (540, 29, 'Haveri', 1597668),
  (541, 29, 'Kodagu', 554519),
  (542, 29, 'Kolar', 1536401),
  (543, 29, 'Koppal', 1389920),
  (544, 29, 'Mandya', 1805769),
  (545, 29, 'Mysuru', 3001127),
  (546, 29, 'Raichur', 1928812),
  (547, 29, 'Shivamogga', 1752753),
  (548, 29, 'Tumakuru', 2678980),
  (549, 29, 'Udupi', 1177361),
  (550, 29, 'Uttara Kannada', 1437169),
  (551, 30, 'North Goa', 818008),
  (552, 30, 'South Goa', 640537),
  (553, 31, 'Lakshadweep District', 64473),
  (554, 32, 'Alappuzha', 2127789),
  (555, 32, 'Ernakulam', 3282388),
  (556, 32, 'Idukki', 1108974),
  (557, 32, 'Kannur', 2523003),
  (558, 32, 'Kasaragod', 1307375),
  (559, 32, 'Kollam', 2635375),
  (560, 32, 'Kottayam', 1974551),
  (561, 32, 'Kozhikode', 3086293),
  (562, 32, 'Malappuram', 4112920),
  (563, 32, 'Palakkad', 2809934),
  (564, 32, 'Pathanamthitta', 1197412),
  (565, 32, 'Thiruvananthapuram', 3301427),
  (566, 32, 'Thrissur', 3121200),
  (567, 32, 'Wayanad', 817420),
  (568, 33, 'Chennai', 4646732),
  (569, 33, 'Coimbatore', 3458045),
  (570, 33, 'Cuddalore', 2605914),
  (571, 33, 'Dharmapuri', 1506843),
  (572, 33, 'Dindigul', 2159775),
  (573, 33, 'Erode', 2251744),
  (574, 33, 'Kanchipuram', 3998252),
  (575, 33, 'Kanniyakumari', 1870374),
  (576, 33, 'Karur', 1064493),
  (577, 33, 'Krishnagiri', 1879809),
  (578, 33, 'Madurai', 3038252),
  (579, 33, 'Nagapattinam', 1616450),
  (580, 33, 'Namakkal', 1726601),
  (581, 33, 'Perambalur', 565223),
  (582, 33, 'Pudukkottai', 1618345),
  (583, 33, 'Ramanathapuram', 1353445),
  (584, 33, 'Salem', 3482056),
  (585, 33, 'Sivaganga', 1339101),
  (586, 33, 'Thanjavur', 2405890),
  (587, 33, 'The Nilgiris', 735394),
  (588, 33, 'Theni', 1245899),
  (589, 33, 'Thiruvallur', 3728104),
  (590, 33, 'Thiruvarur', 1264277),
  (591, 33, 'Tiruchirappalli', 2722290),
  (592, 33, 'Tirunelveli', 3077233),
  (593, 33, 'Tiruvannamalai', 2464875),
  (594, 33, 'Tuticorin', 1750176),
  (595, 33, 'Vellore', 3936331),
  (596, 33, 'Villupuram', 3458873),
  (597, 33, 'Virudhunagar', 1942288),
  (598, 34, 'Karaikal', 200222),
  (599, 34, 'Mahe', 41816),
  (600, 34, 'Pondicherry', 950289),
  (601, 34, 'Yanam', 55626),
  (602, 35, 'South Andamans', 238142),
  (603, 35, 'Nicobars', 36842),
  (604, 6, 'Nuh', 1089263),
  (605, 3, 'Barnala', 595527),
  (606, 20, 'Khunti', 531885),
  (607, 20, 'Ramgarh', 949443),
  (608, 3, 'S.A.S Nagar', 994628),
  (609, 3, 'Tarn Taran', 1119627),
  (610, 33, 'Ariyalur', 754894),
  (611, 10, 'Arwal', 700843),
  (612, 18, 'Chirang', 482162),
  (613, 13, 'Peren', 95219),
  (614, 13, 'Kiphire', 74004),
  (615, 13, 'Longleng', 50484),
  (616, 18, 'Baksa', 950075),
  (617, 18, 'Udalguri', 831668),
  (618, 18, 'Kamrup Metro', 1253938),
  (619, 6, 'Palwal', 1042708),
  (620, 1, 'Kishtwar', 230696),
  (621, 1, 'Ramban', 283713),
  (622, 1, 'Kulgam', 424483),
  (623, 1, 'Bandipora', 392232),
  (624, 1, 'Samba', 318898),
  (625, 1, 'Shopian', 266215),
  (626, 1, 'Ganderbal', 297446),
  (627, 1, 'Reasi', 314667),
  (628, 12, 'Anjaw', 21167),
  (629, 8, 'Pratapgarh', 867848),
  (630, 29, 'Chikkaballapura', 1255104),
  (631, 29, 'Ramanagara', 1082636),
  (632, 35, 'North and Middle Andaman', 105597),
  (633, 9, 'Kasganj', 1436719),
  (634, 33, 'Tiruppur', 2479052),
  (635, 29, 'Yadgir', 1174271),
  (636, 22, 'Bijapur', 255230),
  (637, 22, 'Narayanpur', 139820),
  (638, 23, 'Singrauli', 1178273),
  (639, 23, 'Alirajpur', 728999),
  (640, 9, 'Amethi', NULL),
  (641, 24, 'Tapi', 807022),
  (642, 22, 'Sukma', NULL),
  (643, 22, 'Kondagaon', NULL),
  (644, 22, 'Baloda Bazar', NULL),
  (645, 22, 'Gariyaband', NULL),
  (646, 22, 'Balod', NULL),
  (647, 22, 'Mungeli', NULL),
  (648, 22, 'Surajpur', NULL),
  (649, 22, 'Balrampur', NULL),
  (650, 22, 'Bemetara', NULL),
  (651, 3, 'Fazilka', NULL),
  (652, 16, 'Khowai', NULL),
  (653, 16, 'Sepahijala', NULL),
  (654, 16, 'Gomati', NULL),
  (655, 16, 'Unakoti', NULL),
  (656, 17, 'North Garo Hills', NULL),
  (657, 17, 'East Jaintia Hills', NULL),
  (658, 17, 'South West Khasi Hills', NULL),
  (659, 9, 'Sambhal', NULL),
  (660, 9, 'Shamli', NULL),
  (661, 9, 'Hapur', NULL),
  (662, 3, 'Pathankot', NULL),
  (663, 17, 'South West Garo Hills', NULL),
  (664, 19, 'Alipurduar', NULL),
  (665, 27, 'Palghar', NULL),
  (666, 12, 'Longding', NULL),
  (667, 23, 'Agar Malwa', NULL),
  (668, 24, 'Chhotaudepur', NULL),
  (669, 24, 'Mahisagar', NULL),
  (670, 7, 'South East', NULL),
  (671, 7, 'Shahdara', NULL),
  (672, 24, 'Arvalli', NULL),
  (673, 24, 'Morbi', NULL),
  (674, 24, 'Devbhumi Dwarka', NULL),
  (675, 24, 'Gir Somnath', NULL),
  (676, 24, 'Botad', NULL),
  (677, 12, 'Kra Daadi', NULL),
  (678, 12, 'Namsai', NULL),
  (679, 12, 'Siang', NULL),
  (680, 36, 'Nirmal', NULL),
  (681, 36, 'Jagitial', NULL),
  (682, 36, 'Peddapalli', NULL),
  (683, 36, 'Rajanna Sircilla', NULL),
  (684, 36, 'Mancherial', NULL),
  (685, 36, 'Kamareddy', NULL),
  (686, 36, 'Hanumakonda', NULL),
  (687, 36, 'Jayashankar Bhupalapally', NULL),
  (688, 36, 'Mahabubabad', NULL),
  (689, 36, 'Jangoan', NULL),
  (690, 36, 'Bhadradri Kothagudem', NULL),
  (691, 36, 'Sangareddy', NULL),
  (692, 36, 'Siddipet', NULL),
  (693, 36, 'Wanaparthy', NULL),
  (694, 36, 'Nagarkurnool', NULL),
  (695, 36, 'Jogulamba Gadwal', NULL),
  (696, 36, 'Suryapet', NULL),
  (697, 36, 'Yadadri Bhuvanagiri', NULL),
  (698, 36, 'Vikarabad', NULL),
  (699, 36, 'Kumuram Bheem Asifabad', NULL),
  (700, 36, 'Medchal Malkajgiri', NULL),
  (701, 6, 'Charki Dadri', NULL),
  (702, 19, 'Kalimpong', NULL),
  (703, 19, 'Jhargram', NULL),
  (704, 19, 'Paschim Bardhaman', NULL),
  (705, 18, 'Biswanath', NULL),
  (706, 18, 'Majuli', NULL),
  (707, 18, 'South Salmara Mancachar', NULL),
  (708, 18, 'Charaideo', NULL),
  (709, 18, 'Hojai', NULL),
  (710, 18, 'West Karbi Anglong', NULL),
  (711, 14, 'Kakching', NULL),
  (712, 14, 'Kangpokpi', NULL),
  (713, 14, 'Jiribam', NULL),
  (714, 14, 'Noney', NULL),
  (715, 14, 'Pherzawl', NULL),
  (716, 14, 'Tengnoupal', NULL),
  (717, 14, 'Kamjong', NULL),
  (718, 12, 'Kamle', NULL),
  (719, 12, 'Lower Siang', NULL),
  (720, 36, 'Mulugu', NULL),
  (721, 36, 'Narayanpet', NULL),
  (722, 23, 'Niwari', NULL),
  (723, 12, 'Pakke Kessang', NULL),
  (724, 12, 'Leparada', NULL),
  (725, 12, 'Shi Yomi', NULL),
  (726, 15, 'Hnahthial', NULL),
  (727, 15, 'Saitual', NULL),
  (728, 15, 'Khawzawl', NULL),
  (729, 33, 'Kallakurichi', NULL),
  (730, 33, 'Chengalpattu', NULL),
  (731, 33, 'Ranipet', NULL),
  (732, 33, 'Tirupathur', NULL),
  (733, 33, 'Tenkasi', NULL),
  (734, 22, 'Gaurella Pendra Marwahi', NULL),
  (735, 33, 'Mayiladuthurai', NULL),
  (736, 13, 'Noklak', NULL),
  (737, 3, 'Malerkotla', NULL),
  (738, 29, 'Vijayanagar', NULL),
  (739, 18, 'Bajali', NULL);

-- ------------------------------------------------------------------------------- the views
-- Each line is ranked by count (ties by key): rn is the rank, cum the running sum, primaries the
-- line's cells of 1..10, cut the rank up to which cells are suppressed: the first rank that covers
-- every primary (and at least one cell when the line must suppress something), with rank >= 2
-- and running sum >= 11; NULL when no such rank exists (then the whole line is suppressed).

-- V0: N per completed ISO week and category. Primary suppression only: its line (all categories of
-- a week) has no released total anywhere, and nothing else adds weeks or categories together.
CREATE VIEW "reporting"."weekly_cases_national" WITH (security_barrier = true) AS
WITH cells AS (
    SELECT t.week_start, t.diagnosis_category, sum(t.count)::integer AS n
      FROM public.case_trend_weekly t
     WHERE t.system = 'ISO'
       AND t.week_start < date_trunc('week', now() AT TIME ZONE 'UTC' + interval '330 minutes')::date
     GROUP BY t.week_start, t.diagnosis_category
    HAVING sum(t.count) > 0
)
SELECT c.week_start,
       extract(isoyear FROM c.week_start)::integer AS iso_year,
       extract(week FROM c.week_start)::integer AS iso_week,
       to_char(c.week_start, 'IYYY-"W"IW') AS week_label,
       c.diagnosis_category AS icd10_category,
       CASE WHEN c.n >= 11 THEN c.n END AS cases
  FROM cells c;

-- V1: N split by state (line: the group).
CREATE VIEW "reporting"."weekly_cases_by_state" WITH (security_barrier = true) AS
WITH cells AS (
    SELECT t.week_start, t.diagnosis_category, t.state_code, sum(t.count)::integer AS n
      FROM public.case_trend_weekly t
     WHERE t.system = 'ISO'
       AND t.week_start < date_trunc('week', now() AT TIME ZONE 'UTC' + interval '330 minutes')::date
     GROUP BY t.week_start, t.diagnosis_category, t.state_code
    HAVING sum(t.count) > 0
), ranked AS (
    SELECT c.*,
           row_number() OVER ordered AS rn,
           sum(c.n) OVER ordered AS cum,
           count(*) FILTER (WHERE c.n < 11) OVER line AS primaries
      FROM cells c
    WINDOW line AS (PARTITION BY c.week_start, c.diagnosis_category),
           ordered AS (line ORDER BY c.n, c.state_code ROWS UNBOUNDED PRECEDING)
), cut AS (
    SELECT r.*,
           min(r.rn) FILTER (WHERE r.rn >= 2 AND r.rn >= r.primaries AND r.cum >= 11)
             OVER (PARTITION BY r.week_start, r.diagnosis_category) AS cut
      FROM ranked r
)
SELECT c.week_start,
       extract(isoyear FROM c.week_start)::integer AS iso_year,
       extract(week FROM c.week_start)::integer AS iso_week,
       to_char(c.week_start, 'IYYY-"W"IW') AS week_label,
       c.diagnosis_category AS icd10_category,
       c.state_code,
       s.name AS state_name,
       CASE WHEN c.primaries = 0 OR (c.cut IS NOT NULL AND c.rn > c.cut) THEN c.n END AS cases
  FROM cut c
  LEFT JOIN "reporting"."state_ref" s ON s.code = c.state_code;

-- V3: each state's count split by district; districts without a 2011 population of 20,000 are
-- pooled per state (district_code NULL). A state suppressed in V1 forces at least one suppressed
-- district (point 4 above).
CREATE VIEW "reporting"."weekly_cases_by_district" WITH (security_barrier = true) AS
WITH cells AS (
    SELECT t.week_start, t.diagnosis_category, t.state_code,
           CASE WHEN d.state_code = t.state_code AND d.population_2011 >= 20000 THEN t.district_code END
             AS district_code,
           sum(t.count)::integer AS n
      FROM public.case_trend_weekly t
      LEFT JOIN "reporting"."district_ref" d ON d.code = t.district_code
     WHERE t.system = 'ISO'
       AND t.week_start < date_trunc('week', now() AT TIME ZONE 'UTC' + interval '330 minutes')::date
     GROUP BY 1, 2, 3, 4
    HAVING sum(t.count) > 0
), forced AS (
    SELECT c.*, (v.cases IS NULL) AS state_suppressed
      FROM cells c
      JOIN "reporting"."weekly_cases_by_state" v
        ON v.week_start = c.week_start AND v.icd10_category = c.diagnosis_category
       AND v.state_code = c.state_code
), ranked AS (
    SELECT f.*,
           row_number() OVER ordered AS rn,
           sum(f.n) OVER ordered AS cum,
           count(*) FILTER (WHERE f.n < 11) OVER line AS primaries
      FROM forced f
    WINDOW line AS (PARTITION BY f.week_start, f.diagnosis_category, f.state_code),
           ordered AS (line ORDER BY f.n, f.district_code NULLS LAST ROWS UNBOUNDED PRECEDING)
), cut AS (
    SELECT r.*,
           min(r.rn) FILTER (WHERE r.rn >= 2 AND r.rn >= r.primaries AND r.cum >= 11)
             OVER (PARTITION BY r.week_start, r.diagnosis_category, r.state_code) AS cut
      FROM ranked r
)
SELECT c.week_start,
       extract(isoyear FROM c.week_start)::integer AS iso_year,
       extract(week FROM c.week_start)::integer AS iso_week,
       to_char(c.week_start, 'IYYY-"W"IW') AS week_label,
       c.diagnosis_category AS icd10_category,
       c.state_code,
       s.name AS state_name,
       c.district_code,
       coalesce(d.name, 'Other districts') AS district_name,
       CASE WHEN (c.primaries = 0 AND NOT c.state_suppressed) OR (c.cut IS NOT NULL AND c.rn > c.cut)
            THEN c.n END AS cases
  FROM cut c
  LEFT JOIN "reporting"."state_ref" s ON s.code = c.state_code
  LEFT JOIN "reporting"."district_ref" d ON d.code = c.district_code;

-- V2: N split by 20-year age band x sex (line: the group), from the daily rollup's 5-year bands
-- ("35-39", "90+") grouped by their lower bound.
CREATE VIEW "reporting"."weekly_cases_by_age_sex" WITH (security_barrier = true) AS
WITH cells AS (
    SELECT date_trunc('week', t.day)::date AS week_start, t.diagnosis_category,
           least(substring(t.age_band FROM '^[0-9]+')::integer / 20 * 20, 80) AS age_from,
           t.sex::text AS sex,
           sum(t.count)::integer AS n
      FROM public.case_count_daily t
     WHERE t.day < date_trunc('week', now() AT TIME ZONE 'UTC' + interval '330 minutes')::date
     GROUP BY 1, 2, 3, 4
    HAVING sum(t.count) > 0
), ranked AS (
    SELECT c.*,
           row_number() OVER ordered AS rn,
           sum(c.n) OVER ordered AS cum,
           count(*) FILTER (WHERE c.n < 11) OVER line AS primaries
      FROM cells c
    WINDOW line AS (PARTITION BY c.week_start, c.diagnosis_category),
           ordered AS (line ORDER BY c.n, c.age_from, c.sex ROWS UNBOUNDED PRECEDING)
), cut AS (
    SELECT r.*,
           min(r.rn) FILTER (WHERE r.rn >= 2 AND r.rn >= r.primaries AND r.cum >= 11)
             OVER (PARTITION BY r.week_start, r.diagnosis_category) AS cut
      FROM ranked r
)
SELECT c.week_start,
       extract(isoyear FROM c.week_start)::integer AS iso_year,
       extract(week FROM c.week_start)::integer AS iso_week,
       to_char(c.week_start, 'IYYY-"W"IW') AS week_label,
       c.diagnosis_category AS icd10_category,
       CASE WHEN c.age_from >= 80 THEN '80+' ELSE c.age_from || '-' || (c.age_from + 19) END AS age_band,
       c.age_from,
       c.sex,
       CASE WHEN c.primaries = 0 OR (c.cut IS NOT NULL AND c.rn > c.cut) THEN c.n END AS cases
  FROM cut c;

-- ------------------------------------------------------------------------------- grants

GRANT USAGE ON SCHEMA "reporting" TO doctel_reporting;
GRANT SELECT ON "reporting"."weekly_cases_national", "reporting"."weekly_cases_by_state",
                "reporting"."weekly_cases_by_district", "reporting"."weekly_cases_by_age_sex"
   TO doctel_reporting;
