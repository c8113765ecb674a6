/** How to read a release: what `*` means, what information loss is, what is rounded and why. */
export function Explanation() {
  return (
    <section className="panel" aria-labelledby="reading-title">
      <h2 id="reading-title">Reading a release</h2>
      <dl className="facts">
        <dt>Classes</dt>
        <dd>
          Rows that share every quasi-identifier value (age band, sex, region, period) form a class. Every
          class holds at least k = 11 patients and at least ℓ = 3 diagnoses, and every diagnosis shown in a
          class is shared by at least 11 of its patients, so that knowing someone's age, sex, district and
          admission day never points at fewer than 11 people, nor tells their diagnosis for sure.
        </dd>
        <dt data-testid="explain-star">What * means</dt>
        <dd>
          <code>*</code> stands for a quasi-identifier generalized away: any value. An age band <code>*</code>{" "}
          is any age, a sex <code>*</code> either sex, a region <code>*</code> anywhere in India, a period{" "}
          <code>*</code> any week of the release. Values are generalized for the whole release (a 10-year band
          for everyone, not for some), as far as needed for the classes to hold.
        </dd>
        <dt data-testid="explain-loss">Information loss</dt>
        <dd>
          How much the values were generalized, from 0 % (every row at its finest: 5-year age band, sex,
          district, ISO week) to 100 % (every quasi-identifier <code>*</code>): the mean, over rows and the
          four quasi-identifiers, of the share of the finest values each shown value covers (a 10-year band
          covers 2 of 19 bands, a state its districts, a month its weeks).
        </dd>
        <dt>Diagnoses</dt>
        <dd>
          An ICD-10 category (<code>E11</code>), or its chapter (<code>E00-E90</code>) where the category was
          shared by fewer than 11 patients of the class; rows still rarer were left out.
        </dd>
        <dt>Left out, rounded</dt>
        <dd>
          Treatments of the period not released (their class too small or too uniform) are counted before
          suppression, so only a count rounded to tens is shown: an exact one could give away a small group.
        </dd>
        <dt>Pseudonyms</dt>
        <dd>
          A pseudonym links one patient's rows within a release; another release gives the same patient
          another. A patient whose set of classes is shared by fewer than 11 patients has one pseudonym per
          row.
        </dd>
      </dl>
    </section>
  );
}
