/**
 * English function words left out of cluster terms and names: c-TF-IDF already down-weights words common to all
 * clusters, but a name made of "my", "the" and "can" says nothing. A short list on purpose: content words ("card",
 * "refund") must never be dropped. Callers can pass their own list for other languages.
 *
 * Contractions are listed whole ("isn't"): `ctfidfTerms` joins a word split at an apostrophe back together before
 * looking it up. The apostrophe-less spellings people type ("isnt", "havent") are listed too, and so are the bare
 * left halves ("isn", "doesn", "didn") a tokenizer that splits at apostrophes leaves behind: they are not words of
 * their own, so no content is lost ("won", "can", "well", "ill" and "id" are words, and are not listed as halves).
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below between
  both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
  further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
  how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
  of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
  shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
  they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
  weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
  you'd you'll you're you've your yours yourself yourselves also just get got getting would like will still yet
  please hi hello thanks thank im ive dont cant didnt doesnt isnt wont s t d ll m re ve
  ain't aint arent couldnt hadnt hasnt havent mustnt shouldnt wasnt werent wouldnt youre youve youll youd theyre
  theyve theyll thats whats theres heres wheres whos hows could've would've should've might've must've y'all might
  must shall without within via since around across per upon toward towards among along though although unless
  whether either neither whose whatever whenever wherever however anymore
  aren couldn didn doesn don hadn hasn haven isn mustn needn shan shouldn wasn weren wouldn`
    .split(/\s+/u)
    .filter((w) => w !== ''),
);

/**
 * Adverb particles of English phrasal verbs. They are stopwords, but right after a kept word they make a bigram term
 * ("top up", "cash out", "go through"), because the verb alone ("top") does not say what the texts are about.
 */
export const PHRASAL_PARTICLES: ReadonlySet<string> = new Set(['up', 'out', 'off', 'down', 'through']);

/** Words that make a catch-all name: never used as name words (a cluster is never called "Other" or "Misc"). */
export const VAGUE_NAME_WORDS: ReadonlySet<string> = new Set([
  'other',
  'others',
  'misc',
  'miscellaneous',
  'general',
  'various',
  'etc',
  'unknown',
  'none',
  'stuff',
  'things',
]);

/**
 * Content-poor words: frequent in requests of every kind ("need", "want", "tried", "already", "today"), so they can
 * rank high in a small cluster without saying what it is about. They stay terms (descriptions, hints for a naming
 * model) but a term-based name uses them only inside a phrase ("go through"), or
 * when a cluster has no other terms at all.
 */
export const WEAK_NAME_WORDS: ReadonlySet<string> = new Set(
  `able actually ago already always another anything anywhere anyway ask asked asking back come comes coming came
  currently different even ever every everything everyone everywhere find found give gives giving gave
  given go goes going gone went happen happens happened happening help helps instead keep keeps kept know knows knew
  let look looking looked lot lots make makes making made many maybe mean means meant much need needs needed
  nothing now ok okay one ones possible put really recently say says said saying see seeing saw seen seem seems
  show shows showing shown showed something soon sure take takes taking took taken tell tells told
  think thinks thought times today tomorrow try tries trying tried two us use uses using used want wants wanted way
  ways wish yes yesterday`
    .split(/\s+/u)
    .filter((w) => w !== ''),
);
