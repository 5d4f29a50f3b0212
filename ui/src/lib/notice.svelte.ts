// A short message that outlives the screen that caused it ("已批准……" after a review decision
// takes you back to the queue). One at a time; it stays until it is dismissed, replaced, or
// `SHOW_MS` has passed. Render `notice.text` inside an element with role="status".

const SHOW_MS = 12_000;

class Notice {
  text = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  show(text: string) {
    clearTimeout(this.#timer);
    this.text = text;
    this.#timer = setTimeout(() => this.clear(), SHOW_MS);
  }

  clear() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.text = null;
  }
}

export const notice = new Notice();
