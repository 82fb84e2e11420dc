//! The coded fields of the instrument (`instrument.md`), as enums.
//!
//! Every code has its wire form (the Indonesian code written in files and the database), an
//! Indonesian label and an English label. Multi-valued fields are held as a [`CodeSet`], a
//! bitmask over the enum's declaration order, so that the store can keep them as one integer and
//! profiles can count them with a bit test.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// What every coded enum offers.
pub trait Code: Copy + Eq + Sized + 'static {
    /// The field's name in the instrument, for error messages.
    const FIELD: &'static str;
    /// All values, in declaration order (the bit order of a [`CodeSet`]).
    const ALL: &'static [Self];
    /// The wire code, e.g. `tumbuh_masyarakat`.
    fn code(self) -> &'static str;
    /// Label in Bahasa Indonesia.
    fn label_id(self) -> &'static str;
    /// Label in English.
    fn label_en(self) -> &'static str;
    /// Position in [`Code::ALL`].
    fn index(self) -> usize;

    /// Label in the given language.
    fn label(self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Id => self.label_id(),
            crate::Lang::En => self.label_en(),
        }
    }

    /// Parses a wire code or either label, as a person may type them: any case, with spaces,
    /// hyphens or underscores between the words ("Rukun kematian", "majelis-taklim",
    /// "Grew from the community" are all accepted). See [`normalise`].
    fn from_code(s: &str) -> Option<Self> {
        let trimmed = s.trim();
        // Files written by wahana and the database hold the code itself: no allocation then.
        if let Some(c) = Self::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(trimmed))
        {
            return Some(c);
        }
        let n = normalise(trimmed);
        if n.is_empty() {
            return None;
        }
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.forms().iter().any(|f| normalise(f) == n))
    }

    /// The code and its two labels, the forms [`Code::from_code`] accepts.
    fn forms(self) -> [&'static str; 3] {
        [self.code(), self.label_id(), self.label_en()]
    }

    /// The code nearest to an unknown value (by edit distance of the normalised value to every
    /// code and label), when it is near enough to be a slip: at most one edit per three letters.
    fn nearest(s: &str) -> Option<Self> {
        let n = normalise(s);
        let len = n.chars().count();
        if len == 0 {
            return None;
        }
        let mut best: Option<(usize, Self)> = None;
        for c in Self::ALL.iter().copied() {
            for f in c.forms() {
                let d = edit_distance(&n, &normalise(f));
                if best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, c));
                }
            }
        }
        let limit = (len / 3).max(1);
        best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
    }

    /// The accepted codes, for "expected ..." in error messages.
    fn expected() -> String {
        Self::ALL
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A value as it is compared with codes and labels: lower case, each run of spaces, hyphens,
/// underscores, slashes or other punctuation one `_`, none at either end; apostrophes are
/// dropped ("Farmers' group" is `farmers_group`, "Tolong-menolong" is `tolong_menolong`).
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else if !matches!(c, '\'' | '\u{2019}' | '`') {
            gap = true;
        }
    }
    out
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) that turn `a` into `b`:
/// the optimal string alignment distance, so "kemaitan" is one edit from "kematian".
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two rows back (for swaps), the last one and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut row);
    }
    last[b.len()]
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal {
            $( $variant:ident = ($code:literal, $id:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant ),+ }

        impl Code for $name {
            const FIELD: &'static str = $field;
            const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];
            fn code(self) -> &'static str { match self { $( Self::$variant => $code ),+ } }
            fn label_id(self) -> &'static str { match self { $( Self::$variant => $id ),+ } }
            fn label_en(self) -> &'static str { match self { $( Self::$variant => $en ),+ } }
            fn index(self) -> usize { self as usize }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }

        impl std::str::FromStr for $name {
            type Err = crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as Code>::from_code(s).ok_or_else(|| crate::DomainError::invalid_code::<Self>(s))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

code_enum! {
    /// Group type (`jenis`).
    GroupType, field = "jenis" {
        Arisan = ("arisan", "Arisan", "Rotating savings group"),
        RukunKematian = ("rukun_kematian", "Rukun kematian", "Funeral association"),
        MajelisTaklim = ("majelis_taklim", "Majelis taklim", "Religious study group"),
        RemajaMasjid = ("remaja_masjid", "Remaja masjid", "Mosque youth group"),
        Pkk = ("pkk", "PKK", "Family welfare movement (PKK)"),
        Dasawisma = ("dasawisma", "Dasawisma", "Ten-household PKK unit"),
        KarangTaruna = ("karang_taruna", "Karang taruna", "Youth organisation"),
        KelompokTani = ("kelompok_tani", "Kelompok tani", "Farmers' group"),
        KelompokNelayan = ("kelompok_nelayan", "Kelompok nelayan", "Fishers' group"),
        Posyandu = ("posyandu", "Posyandu", "Integrated health post"),
        KerukunanKeluarga = ("kerukunan_keluarga", "Kerukunan keluarga", "Kinship association"),
        PaguyubanDaerah = ("paguyuban_daerah", "Paguyuban daerah", "Home-region association"),
        Kube = ("kube", "KUBE", "Joint business group (KUBE)"),
        LembagaAdat = ("lembaga_adat", "Lembaga adat", "Customary council"),
        KelompokRonda = ("kelompok_ronda", "Kelompok ronda", "Neighbourhood watch"),
        KelompokSeni = ("kelompok_seni", "Kelompok seni", "Arts group"),
        Koperasi = ("koperasi", "Koperasi", "Cooperative"),
        Lks = ("lks", "LKS", "Social welfare institution (LKS)"),
        Lainnya = ("lainnya", "Lainnya", "Other"),
    }
}

code_enum! {
    /// Origin of a group (`asal`).
    Origin, field = "asal" {
        GrownFromCommunity = ("tumbuh_masyarakat", "Tumbuh dari masyarakat", "Grew from the community"),
        FormedByGovernment = ("dibentuk_pemerintah", "Dibentuk pemerintah", "Formed by government"),
        FormedByOutsideParty = ("dibentuk_pihak_luar", "Dibentuk pihak luar", "Formed by another outside party"),
    }
}

code_enum! {
    /// Basis of membership (`dasar_keanggotaan`).
    MembershipBasis, field = "dasar_keanggotaan" {
        Domicile = ("domisili", "Domisili", "Domicile"),
        Kinship = ("kekerabatan", "Kekerabatan", "Kinship"),
        Religion = ("agama", "Agama", "Religion"),
        Occupation = ("pekerjaan", "Pekerjaan", "Occupation"),
        Gender = ("jenis_kelamin", "Jenis kelamin", "Gender"),
        Age = ("usia", "Usia", "Age"),
        HomeRegion = ("asal_daerah", "Asal daerah", "Region of origin"),
        Open = ("terbuka", "Terbuka", "Open to all"),
    }
}

code_enum! {
    /// Purpose (`tujuan`).
    Purpose, field = "tujuan" {
        SocialResilience = ("ketahanan_sosial", "Ketahanan sosial", "Social resilience"),
        MemberWelfare = ("kesejahteraan_anggota", "Kesejahteraan anggota", "Members' welfare"),
        CommunityIntegration = ("integrasi_masyarakat", "Integrasi masyarakat", "Community integration"),
        Religious = ("keagamaan", "Keagamaan", "Religious"),
        Economic = ("ekonomi", "Ekonomi", "Economic"),
        Education = ("pendidikan", "Pendidikan", "Education"),
        Health = ("kesehatan", "Kesehatan", "Health"),
        Environment = ("lingkungan", "Lingkungan", "Environment"),
        Security = ("keamanan", "Keamanan", "Security"),
        Culture = ("budaya", "Budaya", "Culture"),
    }
}

code_enum! {
    /// Activity (`kegiatan`).
    Activity, field = "kegiatan" {
        FuneralAid = ("santunan_duka", "Santunan duka", "Funeral aid"),
        SicknessAid = ("santunan_sakit", "Santunan sakit", "Sickness aid"),
        DisasterAid = ("bantuan_bencana", "Bantuan bencana", "Disaster aid"),
        FeastAid = ("bantuan_hajatan", "Bantuan hajatan", "Help with feasts"),
        SavingsAndLoans = ("simpan_pinjam", "Simpan pinjam", "Savings and loans"),
        RotatingSavings = ("arisan", "Arisan", "Rotating savings"),
        ReligiousStudy = ("pengajian", "Pengajian", "Religious study"),
        CommunityWork = ("kerja_bakti", "Kerja bakti", "Community work"),
        NightWatch = ("ronda", "Ronda", "Night watch"),
        HealthService = ("layanan_kesehatan", "Layanan kesehatan", "Health service"),
        Training = ("pelatihan", "Pelatihan", "Training"),
        JointBusiness = ("usaha_bersama", "Usaha bersama", "Joint business"),
        CustomaryRite = ("upacara_adat", "Upacara adat", "Customary rite"),
        ArtsAndSports = ("seni_olahraga", "Seni dan olahraga", "Arts and sports"),
    }
}

code_enum! {
    /// Source of funds (`sumber_dana`).
    Funding, field = "sumber_dana" {
        MemberDues = ("iuran_anggota", "Iuran anggota", "Member dues"),
        Donors = ("donatur", "Donatur", "Donors"),
        GovernmentAid = ("bantuan_pemerintah", "Bantuan pemerintah", "Government aid"),
        BusinessIncome = ("hasil_usaha", "Hasil usaha", "Business income"),
        ZakatInfaq = ("zakat_infaq", "Zakat dan infak", "Zakat and infaq"),
        Migrants = ("perantau", "Perantau", "Migrants (perantau)"),
    }
}

code_enum! {
    /// Period of dues (`iuran_periode`).
    DuesPeriod, field = "iuran_periode" {
        Weekly = ("mingguan", "Mingguan", "Weekly"),
        Monthly = ("bulanan", "Bulanan", "Monthly"),
        PerMeeting = ("per_pertemuan", "Per pertemuan", "Per meeting"),
        Incidental = ("insidental", "Insidental", "When needed"),
    }
}

code_enum! {
    /// Social value or norm (`nilai`).
    Value, field = "nilai" {
        Togetherness = ("kebersamaan", "Kebersamaan", "Togetherness"),
        MutualHelp = ("tolong_menolong", "Tolong-menolong", "Mutual help"),
        GotongRoyong = ("gotong_royong", "Gotong royong", "Mutual cooperation (gotong royong)"),
        Custom = ("adat_istiadat", "Adat istiadat", "Custom"),
        Religion = ("keagamaan", "Keagamaan", "Religion"),
        Deliberation = ("musyawarah", "Musyawarah", "Deliberation"),
    }
}

code_enum! {
    /// How often a group meets (`frekuensi_pertemuan`).
    MeetingFrequency, field = "frekuensi_pertemuan" {
        Weekly = ("mingguan", "Mingguan", "Weekly"),
        Fortnightly = ("dua_mingguan", "Dua mingguan", "Fortnightly"),
        Monthly = ("bulanan", "Bulanan", "Monthly"),
        Yearly = ("tahunan", "Tahunan", "Yearly"),
        Incidental = ("insidental", "Insidental", "When needed"),
    }
}

code_enum! {
    /// Legal standing (`status_hukum`).
    LegalStatus, field = "status_hukum" {
        Informal = ("informal", "Informal", "Informal"),
        VillageDecree = ("sk_desa", "SK kepala desa/lurah", "Decree of the village head"),
        LegalEntity = ("badan_hukum", "Badan hukum", "Legal entity"),
    }
}

code_enum! {
    /// Whether a group still operates (`status`).
    GroupStatus, field = "status" {
        Active = ("aktif", "Aktif", "Active"),
        Inactive = ("tidak_aktif", "Tidak aktif", "Inactive"),
        Dissolved = ("bubar", "Bubar", "Dissolved"),
    }
}

code_enum! {
    /// Kind of a supporting institution (`jenis_lembaga`).
    InstitutionKind, field = "jenis_lembaga" {
        VillageOffice = ("kantor_desa", "Kantor desa/kelurahan", "Village office"),
        Puskesmas = ("puskesmas", "Puskesmas", "Community health centre"),
        Kua = ("kua", "KUA", "Religious affairs office (KUA)"),
        School = ("sekolah", "Sekolah", "School"),
        PlaceOfWorship = ("rumah_ibadah", "Masjid/gereja/rumah ibadah", "Mosque, church or other place of worship"),
        DinasSosial = ("dinas_sosial", "Dinas Sosial", "Social affairs office (Dinas Sosial)"),
        Ngo = ("lsm", "LSM", "NGO"),
        Company = ("perusahaan", "Perusahaan", "Company"),
        MigrantAssociation = ("perantau", "Ikatan perantau", "Association of migrants (perantau)"),
        Other = ("lainnya", "Lainnya", "Other"),
    }
}

code_enum! {
    /// Type of a tie (`jenis_ikatan`).
    TieType, field = "jenis_ikatan" {
        Coordination = ("koordinasi", "Koordinasi", "Coordination"),
        JointActivity = ("kegiatan_bersama", "Kegiatan bersama", "Joint activity"),
        Funding = ("pendanaan", "Pendanaan", "Funding"),
        Referral = ("rujukan", "Rujukan", "Referral"),
        Guidance = ("pembinaan", "Pembinaan", "Guidance (pembinaan)"),
        SharedMembers = ("anggota_bersama", "Anggota bersama", "Shared members or leaders"),
    }
}

code_enum! {
    /// Level at which a network operates (`tingkat`).
    NetworkLevel, field = "tingkat" {
        Village = ("desa", "Desa/kelurahan", "Village"),
        Dusun = ("dusun", "Dusun", "Hamlet (dusun)"),
        Rw = ("rw", "RW", "Neighbourhood (RW)"),
    }
}

code_enum! {
    /// Kind of local unit under a village.
    LocalUnitKind, field = "jenis_unit" {
        Dusun = ("dusun", "Dusun", "Hamlet (dusun)"),
        Rw = ("rw", "RW", "Neighbourhood (RW)"),
        Rt = ("rt", "RT", "Block (RT)"),
    }
}

code_enum! {
    /// A member's role in a group (`peran`): the board or an ordinary member.
    MemberRole, field = "peran" {
        Chair = ("ketua", "Ketua", "Chair"),
        Secretary = ("sekretaris", "Sekretaris", "Secretary"),
        Treasurer = ("bendahara", "Bendahara", "Treasurer"),
        Member = ("anggota", "Anggota", "Member"),
    }
}

/// A set of codes of one field, as a bitmask in declaration order.
pub struct CodeSet<T: Code> {
    bits: u32,
    _marker: PhantomData<T>,
}

impl<T: Code> Clone for CodeSet<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Code> Copy for CodeSet<T> {}
impl<T: Code> PartialEq for CodeSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}
impl<T: Code> Eq for CodeSet<T> {}
impl<T: Code> Default for CodeSet<T> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<T: Code> CodeSet<T> {
    /// The empty set.
    pub const EMPTY: Self = Self {
        bits: 0,
        _marker: PhantomData,
    };

    /// Builds a set from a bitmask, dropping bits that name no code.
    pub fn from_bits(bits: u32) -> Self {
        let mask = if T::ALL.len() >= 32 {
            u32::MAX
        } else {
            (1u32 << T::ALL.len()) - 1
        };
        Self {
            bits: bits & mask,
            _marker: PhantomData,
        }
    }

    /// The bitmask, as stored.
    pub fn bits(self) -> u32 {
        self.bits
    }

    /// The bit of one code.
    pub fn bit(code: T) -> u32 {
        1u32 << code.index()
    }

    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    pub fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    pub fn contains(self, code: T) -> bool {
        self.bits & Self::bit(code) != 0
    }

    pub fn insert(&mut self, code: T) {
        self.bits |= Self::bit(code);
    }

    #[must_use]
    pub fn with(mut self, code: T) -> Self {
        self.insert(code);
        self
    }

    /// The codes, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = T> {
        T::ALL.iter().copied().filter(move |c| self.contains(*c))
    }

    /// Parses a cell of several codes or labels separated by spaces, commas or semicolons (as
    /// ODK and KoboToolbox write a select_multiple answer, or as a person lists labels:
    /// "Iuran anggota, Donatur"). Within a comma-separated part the words are read greedily,
    /// the longest run of words that names a code first, so labels of several words and codes
    /// separated by spaces both parse. Returns the unknown values as the error: a run of unknown
    /// words is one value when, taken together, it is a slip of one code ("iuran anggotaa"),
    /// otherwise each word is its own.
    pub fn parse(cell: &str) -> Result<Self, Vec<String>> {
        let mut set = Self::EMPTY;
        // Files written by wahana and ODK hold codes only: take them without reading labels.
        let all_codes = cell
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|p| !p.is_empty())
            .all(
                |p| match T::ALL.iter().find(|c| c.code().eq_ignore_ascii_case(p)) {
                    Some(c) => {
                        set.insert(*c);
                        true
                    }
                    None => false,
                },
            );
        if all_codes {
            return Ok(set);
        }
        set = Self::EMPTY;
        let longest = T::ALL
            .iter()
            .flat_map(|c| c.forms())
            .map(|f| normalise(f).split('_').count())
            .max()
            .unwrap_or(1);
        let mut unknown = Vec::new();
        for part in cell.split([',', ';']) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let mut run: Vec<&str> = Vec::new();
            let mut i = 0;
            while i < words.len() {
                let found = (i + 1..=words.len().min(i + longest))
                    .rev()
                    .find_map(|j| T::from_code(&words[i..j].join(" ")).map(|c| (j, c)));
                match found {
                    Some((j, c)) => {
                        Self::push_unknown(&mut unknown, &mut run);
                        set.insert(c);
                        i = j;
                    }
                    None => {
                        run.push(words[i]);
                        i += 1;
                    }
                }
            }
            Self::push_unknown(&mut unknown, &mut run);
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(unknown)
        }
    }

    /// Ends a run of unknown words: one value if together they are near one code, else each.
    fn push_unknown(unknown: &mut Vec<String>, run: &mut Vec<&str>) {
        if run.len() > 1 && T::nearest(&run.join(" ")).is_some() {
            unknown.push(run.join(" "));
        } else {
            unknown.extend(run.iter().map(|w| w.to_string()));
        }
        run.clear();
    }

    /// The wire form: codes separated by single spaces.
    pub fn to_codes(self) -> String {
        self.iter().map(|c| c.code()).collect::<Vec<_>>().join(" ")
    }

    /// The labels, joined by ", ".
    pub fn labels(self, lang: crate::Lang) -> String {
        self.iter()
            .map(|c| c.label(lang))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<T: Code> FromIterator<T> for CodeSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for c in iter {
            set.insert(c);
        }
        set
    }
}

impl<T: Code + fmt::Debug> fmt::Debug for CodeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Code> Serialize for CodeSet<T> {
    /// As a list of codes, so JSON readers need not know the bit order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(|c| c.code()))
    }
}

impl<'de, T: Code> Deserialize<'de> for CodeSet<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let codes = Vec::<String>::deserialize(d)?;
        CodeSet::parse(&codes.join(" ")).map_err(|bad| {
            serde::de::Error::custom(format!(
                "unknown {} code(s) {}; expected {}",
                T::FIELD,
                bad.join(", "),
                T::expected()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_codes_table() {
        // (input, expected wire form or unknown codes)
        let cases: &[(&str, Result<&str, &[&str]>)] = &[
            ("iuran_anggota donatur", Ok("iuran_anggota donatur")),
            ("donatur,iuran_anggota", Ok("iuran_anggota donatur")),
            (" donatur ; perantau ", Ok("donatur perantau")),
            ("IURAN_ANGGOTA", Ok("iuran_anggota")),
            ("", Ok("")),
            ("iuran zakat_infaq", Err(&["iuran"])),
            // Labels, as the web form and the XLSForm show them, in either language.
            ("iuran anggota, donatur", Ok("iuran_anggota donatur")),
            ("Iuran anggota; Donatur", Ok("iuran_anggota donatur")),
            ("Iuran anggota Donatur", Ok("iuran_anggota donatur")),
            ("Member dues, Donors", Ok("iuran_anggota donatur")),
            ("Zakat dan infak perantau", Ok("zakat_infaq perantau")),
            ("iuran-anggota,HASIL USAHA", Ok("iuran_anggota hasil_usaha")),
            ("Migrants (perantau)", Ok("perantau")),
            // A run of unknown words that is a slip of one label is one unknown value.
            ("iuran anggotaa, donatur", Err(&["iuran anggotaa"])),
            ("donatur, iuran xyz", Err(&["iuran", "xyz"])),
        ];
        for (input, want) in cases {
            let got = CodeSet::<Funding>::parse(input).map(|s| s.to_codes());
            match want {
                Ok(w) => assert_eq!(got.as_deref().ok(), Some(*w), "input {input:?}"),
                Err(bad) => {
                    let bad: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
                    assert_eq!(got.err(), Some(bad), "input {input:?}")
                }
            }
        }
    }

    /// (input, the code it names) for single-valued fields: codes and labels in both
    /// languages, any case, with spaces, hyphens or underscores.
    #[test]
    fn labels_are_accepted_as_codes() {
        fn check<T: Code + fmt::Debug>(cases: &[(&str, &str)]) {
            for (input, code) in cases {
                assert_eq!(
                    T::from_code(input).map(|c| c.code()),
                    Some(*code),
                    "{input:?} as {}",
                    T::FIELD
                );
            }
        }
        check::<GroupType>(&[
            ("Rukun kematian", "rukun_kematian"),
            ("rukun kematian", "rukun_kematian"),
            ("RUKUN-KEMATIAN", "rukun_kematian"),
            (" rukun__kematian ", "rukun_kematian"),
            ("Funeral association", "rukun_kematian"),
            ("funeral-association", "rukun_kematian"),
            ("majelis-taklim", "majelis_taklim"),
            ("Majelis Taklim", "majelis_taklim"),
            ("Religious study group", "majelis_taklim"),
            ("Farmers' group", "kelompok_tani"),
            ("farmers group", "kelompok_tani"),
            ("Family welfare movement (PKK)", "pkk"),
            ("kube", "kube"),
        ]);
        check::<Origin>(&[
            ("Tumbuh dari masyarakat", "tumbuh_masyarakat"),
            ("tumbuh-dari-masyarakat", "tumbuh_masyarakat"),
            ("Grew from the community", "tumbuh_masyarakat"),
            ("TUMBUH_MASYARAKAT", "tumbuh_masyarakat"),
            ("dibentuk pihak luar", "dibentuk_pihak_luar"),
        ]);
        check::<LegalStatus>(&[
            ("SK kepala desa/lurah", "sk_desa"),
            ("sk kepala desa / lurah", "sk_desa"),
            ("Decree of the village head", "sk_desa"),
        ]);
        check::<InstitutionKind>(&[
            ("Masjid/gereja/rumah ibadah", "rumah_ibadah"),
            ("Kantor desa/kelurahan", "kantor_desa"),
            ("Ikatan perantau", "perantau"),
        ]);
        check::<Value>(&[("Tolong-menolong", "tolong_menolong")]);
        check::<GroupStatus>(&[("Tidak aktif", "tidak_aktif"), ("inactive", "tidak_aktif")]);
        check::<MemberRole>(&[("Ketua", "ketua"), ("treasurer", "bendahara")]);
        for unknown in ["", "  ", "-", "rukun", "kematian rukun", "arsan"] {
            assert_eq!(GroupType::from_code(unknown), None, "{unknown:?}");
        }
    }

    /// (unknown value, the code suggested, if any): one edit per three letters at most.
    #[test]
    fn nearest_code_of_a_slip() {
        let cases: &[(&str, Option<&str>)] = &[
            ("rukun kematin", Some("rukun_kematian")),
            ("Rukun-kemaitan", Some("rukun_kematian")),
            ("arsan", Some("arisan")),
            ("Funeral asociation", Some("rukun_kematian")),
            ("majlis taklim", Some("majelis_taklim")),
            ("posyandoo", Some("posyandu")),
            ("kelompok", None),
            ("xyz", None),
            ("bank", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                GroupType::nearest(input).map(|c| c.code()),
                *want,
                "{input:?}"
            );
        }
        assert_eq!(
            Funding::nearest("iuran anggotaa").map(|c| c.code()),
            Some("iuran_anggota")
        );
    }

    #[test]
    fn edit_distances() {
        let cases = [
            ("", "", 0),
            ("abc", "", 3),
            ("arsan", "arisan", 1),
            ("kemaitan", "kematian", 1),
            ("kitten", "sitting", 3),
            ("ca", "abc", 3),
        ];
        for (a, b, d) in cases {
            assert_eq!(edit_distance(a, b), d, "{a:?} {b:?}");
            assert_eq!(edit_distance(b, a), d, "{b:?} {a:?}");
        }
    }

    #[test]
    fn normalised_forms() {
        let cases = [
            ("Rukun kematian", "rukun_kematian"),
            ("  majelis--taklim ", "majelis_taklim"),
            ("Farmers' group", "farmers_group"),
            ("Masjid/gereja/rumah ibadah", "masjid_gereja_rumah_ibadah"),
            (
                "Family welfare movement (PKK)",
                "family_welfare_movement_pkk",
            ),
            ("Ta\u{2019}", "ta"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalise(input), want, "{input:?}");
        }
    }

    #[test]
    fn codes_are_unique_and_round_trip() {
        fn check<T: Code + std::fmt::Debug>() {
            for (i, c) in T::ALL.iter().enumerate() {
                assert_eq!(c.index(), i);
                assert_eq!(T::from_code(c.code()), Some(*c));
                // No label of one code names another of the same field.
                assert_eq!(T::from_code(c.label_id()), Some(*c), "{c:?}");
                assert_eq!(T::from_code(c.label_en()), Some(*c), "{c:?}");
                assert_eq!(T::from_code(&c.label_en().to_uppercase()), Some(*c));
            }
            assert!(T::ALL.len() <= 32);
        }
        check::<GroupType>();
        check::<Origin>();
        check::<MembershipBasis>();
        check::<Purpose>();
        check::<Activity>();
        check::<Funding>();
        check::<DuesPeriod>();
        check::<Value>();
        check::<MeetingFrequency>();
        check::<LegalStatus>();
        check::<GroupStatus>();
        check::<InstitutionKind>();
        check::<TieType>();
        check::<NetworkLevel>();
        check::<LocalUnitKind>();
        check::<MemberRole>();
    }

    #[test]
    fn bits_round_trip() {
        let s: CodeSet<Value> = [Value::GotongRoyong, Value::Togetherness]
            .into_iter()
            .collect();
        assert_eq!(CodeSet::<Value>::from_bits(s.bits()), s);
        assert_eq!(s.bits(), 0b101);
        assert_eq!(
            CodeSet::<Value>::from_bits(u32::MAX).len(),
            Value::ALL.len()
        );
    }
}
