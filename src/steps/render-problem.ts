/** A rendered value that cannot be sent (a URL that is not one, a header with CR/LF): the step fails with `template`. */
export class RenderProblem extends Error {}
