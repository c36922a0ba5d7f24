/**
 * The plugin API's types (issue 17 item 7): the options type is inferred
 * from the schema, so misspelled options and wrong types fail to compile.
 * Compiles options-inference.fixture.ts with tsc: no diagnostics allowed, and
 * an `@ts-expect-error` that is not an error is itself one.
 */
import * as path from 'node:path';
import ts from 'typescript';

test('the option types inferred from a schema catch misspellings and wrong types', () => {
  const fixture = path.join(__dirname, 'options-inference.fixture.ts');
  const program = ts.createProgram([fixture], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true, types: ['node'],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
});
