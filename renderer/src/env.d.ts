// Vite imports CSS for its side effect.
declare module '*.css';
// Vite turns `?url` imports into the URL of the emitted file (the PDF.js worker).
declare module '*?url' {
  const url: string;
  export default url;
}
