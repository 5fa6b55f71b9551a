/** A task suite: items with known answers, an exemplar pool for few-shot prompts, and how answers are read. */
export interface TaskItem {
  id: string;
  question: string;
  /** The reference answer, already normalised as the extractor normalises. */
  answer: string;
  /** Free-form labels (number of terms, split) used to group results. */
  tags?: Record<string, string | number>;
}

export interface Exemplar {
  question: string;
  answer: string;
  /** A worked solution that ends in the answer. */
  worked: string;
}

export interface Suite {
  name: string;
  description: string;
  items: TaskItem[];
  /** Never overlaps `items`. */
  exemplars: Exemplar[];
}
