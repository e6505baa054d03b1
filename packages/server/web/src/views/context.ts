/** What the router hands every view: where to render, and how to title or leave the page. */
export interface ViewContext {
  main: HTMLElement;
  setTitle: (title: string) => void;
  /** Shows the sign-in page (after sign-out or an ended session). */
  signedOut: () => void;
}
