/** Branding as other folders see it: the checks an organiser's accent colour and SVG logo must pass. */
export { checkAccent, contrastRatio, parseHexColour, type AccentCheck } from './contrast';
export { svgProblems, type SvgProblem } from './svg';
